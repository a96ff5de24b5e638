"""Agreement and uncertainty: how far a turn count from LENA or a voice type classifier can be
trusted.

- ``agree(reference, hypothesis, ...)``: segment-level agreement (detection, identification,
  confusion matrix in seconds, per-class F1, Cohen's κ, Krippendorff's α);
- ``agree_counts(references, hypotheses, ...)``: counts per clip and their agreement (Pearson,
  Spearman, ICC, Bland–Altman);
- ``ErrorModel``: per-class misses, confusions, false alarms and boundary jitter, estimated from
  a comparison or a cited preset; ``corrupt`` applies one to a recording;
- ``turn_intervals``: the simulation-based interval for turns, turns per hour and the response
  rate under an error model (``attunement.turns(rec, error_model=...)``).
"""

from attunement.measures.agreement.compare import CLASSES, agree
from attunement.measures.agreement.result import AgreementResult, CountAgreement

__all__ = ["CLASSES", "AgreementResult", "CountAgreement", "agree"]
