"""Intergenerational transmission figures from parents' representations and infants' classes.

Codes: representation 0 F (secure-autonomous), 1 Ds, 2 E, 3 U; class 0 A, 1 B, 2 C, 3 D.

- ``transmission_agreement``, ``transmission_kappa``: secure/insecure concordance of parent (F
  vs not) and infant (B vs not), and Cohen's kappa of that 2 x 2 table (van IJzendoorn 1995);
- ``transmission_r``: the phi coefficient of the same table (Verhage et al. 2016 report r);
  ``transmission_d`` its d (``effects.d_from_r``; van IJzendoorn 1995 reports d);
- ``transmission_unresolved_r``: phi of unresolved parent (U) with disorganised infant (D);
- ``aai_sensitivity_d``: Cohen's d of the parent's sensitivity, secure-autonomous over insecure;
- ``transmission_sensitivity_share``: the share of the parent-infant security association
  carried by sensitivity, 1 - b_direct / b_total, from linear-probability regressions of infant
  secure on parent secure alone (b_total) and with sensitivity (b_direct) (the product-of-
  coefficients logic of van IJzendoorn 1995's transmission gap, Baron & Kenny 1986).
"""

from __future__ import annotations

import numpy as np

from attunement.simulate.effects import d_from_r, d_groups, kappa, phi


def transmission_measures(
    representation: np.ndarray, infant_class: np.ndarray, sensitivity: np.ndarray
) -> dict[str, float]:
    """The figures in the module docstring, from one array per parent-infant pair."""
    rep = np.asarray(representation, dtype=np.int64)
    cls = np.asarray(infant_class, dtype=np.int64)
    sens = np.asarray(sensitivity, dtype=np.float64)
    parent = (rep == 0).astype(np.int64)
    infant = (cls == 1).astype(np.int64)
    r = phi(parent, infant)
    out = {
        "transmission_agreement": float(np.mean(parent == infant)),
        "transmission_kappa": kappa(parent, infant, 2),
        "transmission_r": r,
        "transmission_d": d_from_r(r),
        "transmission_unresolved_r": phi(rep == 3, cls == 3),
        "aai_sensitivity_d": d_groups(sens[parent == 0], sens[parent == 1])[0],
    }
    x_total = np.column_stack((np.ones(parent.size), parent))
    x_direct = np.column_stack((x_total, sens))
    total = np.linalg.lstsq(x_total, infant, rcond=None)[0][1]
    direct = np.linalg.lstsq(x_direct, infant, rcond=None)[0][1]
    out["transmission_sensitivity_share"] = float(1 - direct / total) if total else float("nan")
    return out
