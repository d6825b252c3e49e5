"""Vision inspection without Qt: cameras, ONNX models, one decision per part, evidence.

- ``synthetic``: brushed-aluminium profile surfaces with defects, for training, evaluation
  and the demo's camera;
- ``preprocess``, ``layouts``, ``model``, ``sidecar``: an ONNX model, what it expects and how
  its outputs read (classification, Ultralytics detection, anomalib anomaly maps);
- ``cameras``: one grabber thread per camera keeping only the newest frame;
- ``trigger``: exactly one inspection per part (a PLC edge or a part entering the image);
- ``evidence``: defect images and good samples on disk, within a quota.
"""
