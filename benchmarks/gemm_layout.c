// Dense's products at one shape on one core: OpenBLAS in each layout, and our forward kernel
// (Sources/CCPU/dense_forward.h). Build and run (the SkylakeX kernel as dnn uses it):
//   clang -O2 -march=native -I/usr/include/x86_64-linux-gnu/openblas-pthread benchmarks/gemm_layout.c -o /tmp/gl -lopenblas
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 /tmp/gl 32 784 512     (batch, in, out)
// -DDNN_DENSE_ROWS=N -DDNN_DENSE_PREFETCH=F try other blockings of our kernel.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../Sources/CCPU/dense_forward.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  int B=atoi(argv[1]), In=atoi(argv[2]), Out=atoi(argv[3]); int reps=2000;
  float *X=malloc(4L*B*In),*W=malloc(4L*Out*In),*Y=malloc(4L*B*Out),*YT=malloc(4L*B*Out),*DX=malloc(4L*B*In),*DW=malloc(4L*Out*In);
  for(long i=0;i<(long)B*In;i++)X[i]=rand()/(float)RAND_MAX; for(long i=0;i<(long)Out*In;i++)W[i]=rand()/(float)RAND_MAX;
  for(long i=0;i<(long)B*Out;i++)Y[i]=rand()/(float)RAND_MAX;
  float *S=malloc(4L*In*B);
  for(int v=0;v<5;v++){ double t0=now();
    for(int r=0;r<reps;r++){
      if(v==0) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,B,Out,In,1,X,In,W,In,0,Y,Out);      // forward now
      if(v==1) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,Out,B,In,1,W,In,X,In,0,YT,B);     // Y^T = W X^T
      if(v==2) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,B,In,Out,1,Y,Out,W,In,0,DX,In);   // dX = dZ W
      if(v==3) cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,Out,In,B,1,Y,Out,X,In,1,DW,In);     // dW += dZ^T X
      if(v==4) dnn_dense_forward(W,Out,In,X,B,S,YT);                                                  // ours: Y^T, W unpacked
    }
    double t=(now()-t0)/reps*1e6; printf("%s %.1f us (%.0f GFLOPS)\n", v==0?"forward X.W^T  ":v==1?"forward^T W.X^T":v==2?"dX = dZ.W      ":v==3?"dW += dZ^T.X   ":"ours W.X^T      ", t, 2.0*B*In*Out/t/1e3);
  }
}
