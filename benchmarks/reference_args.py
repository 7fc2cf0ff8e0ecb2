"""Command-line options shared by the reference scripts (imports nothing heavy, so a script can
set thread variables before its numeric library loads)."""
import argparse


def parse(config=False):
    """The options; with `config`, also the required --config FILE of the per-configuration scripts."""
    p = argparse.ArgumentParser()
    if config:
        p.add_argument("--config", required=True)
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()
