"""Reads a run folder's TensorBoard event file with tbparse (TensorBoard's own event reader
underneath) and prints what it found as one JSON object: scalars by tag as [step, value]
pairs, each histogram tag's total count per step, the text tags with their steps, and the steps
of every train/loss event in the file as written.

    python tensorboard_check.py RUN_FOLDER
"""
import glob, json, sys
from tbparse import SummaryReader
from tensorboard.backend.event_processing import event_file_loader

reader = SummaryReader(sys.argv[1], pivot=False)
scalars = {}
for row in reader.scalars.itertuples():
    scalars.setdefault(row.tag, []).append([int(row.step), float(row.value)])
histograms = {}
for row in reader.histograms.itertuples():
    histograms.setdefault(row.tag, []).append([int(row.step), float(sum(row.counts))])
text = {}
for row in reader.text.itertuples():
    text.setdefault(row.tag, []).append([int(row.step), row.value])
# Every train/loss event in the file as written (the reader above drops what a restart
# superseded; this shows whether the writer left any).
raw = []
for path in glob.glob(sys.argv[1] + "/*tfevents*"):
    for event in event_file_loader.EventFileLoader(path).Load():
        raw += [[event.step] for v in event.summary.value if v.tag == "train/loss"]
print(json.dumps({"scalars": scalars, "histograms": histograms, "text": text, "raw": {"train/loss": raw}}))
