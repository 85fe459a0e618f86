"""The metrics gpwatch knows, by key: what each counts, in what unit, and how it is measured.

A key is what a figure stores and what ``gpwatch workforce list --metric``
takes; the label is what the screen shows. Headcount and FTE of the same
staff group share a *family*, so the screen can toggle between them without
the user picking the metric again.
"""

from __future__ import annotations

from dataclasses import dataclass

# Cells that mean "no value" in the published files (and the bundled ones):
# missing, never zero. Here rather than in gpw so reading the bundled series
# at start-up does not import the importer.
MISSING = frozenset({"", "nd", "na", "n/a", "null", "none", "-", ".."})


@dataclass(frozen=True)
class Metric:
    """One measured quantity; ``measure`` is "hc", "fte" or "" for neither."""

    key: str
    label: str
    unit: str
    family: str
    measure: str = ""
    description: str = ""


def _pair(family: str, label: str, what: str) -> tuple[Metric, Metric]:
    return (
        Metric(f"{family}_hc", f"{label} (headcount)", "people", family, "hc", what),
        Metric(f"{family}_fte", f"{label} (FTE)", "FTE", family, "fte", what),
    )


METRICS: tuple[Metric, ...] = (
    *_pair("gp", "All GPs", "every GP in general practice, trainees and locums included"),
    *_pair("gp_fq", "Fully qualified GPs", "GPs excluding those in training grades"),
    *_pair(
        "gp_fq_perm",
        "Fully qualified permanent GPs",
        "GPs excluding those in training grades and locums",
    ),
    *_pair("partners", "GP partners", "senior partners and partner/providers"),
    *_pair("salaried", "Salaried GPs", "salaried by the practice or by another body"),
    *_pair("locums", "GP locums", "locums covering vacancies, absence or other"),
    *_pair("registrars", "GPs in training (registrars)", "GP registrars, ST1 to ST4"),
    *_pair("nurses", "Nurses", "practice nurses, advanced nurse practitioners and others"),
    *_pair("dpc", "Direct patient care staff", "HCAs, pharmacists, physiotherapists and others"),
    *_pair("admin", "Admin and non-clinical staff", "managers, receptionists, secretaries"),
    *_pair("pcn_staff", "PCN-employed staff", "everyone a primary care network employs"),
    *_pair("pcn_dpc", "PCN direct patient care staff", "pharmacists, link workers and others"),
    Metric("patients", "Registered patients", "patients", "patients"),
    Metric(
        "patients_per_fq_gp_fte",
        "Patients per fully qualified GP FTE",
        "patients per FTE",
        "patients_per_fq_gp_fte",
        description="registered patients divided by fully qualified GP FTE, same practices",
    ),
    Metric("practices", "GP practices", "practices", "practices"),
    Metric(
        "trainee_intake",
        "GP trainee intake",
        "doctors starting GP training",
        "trainee_intake",
        description="doctors starting GP specialty training that year (HEE)",
    ),
    Metric(
        "unfilled_trainee_places",
        "Unfilled GP trainee places",
        "vacancies",
        "unfilled_trainee_places",
    ),
)

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    """The metric for a key; an unknown key (a hand-added figure) gets a plain one."""
    return BY_KEY.get(key) or Metric(key, key, "", key)


def families() -> list[str]:
    """Families in registry order, each once: what the screen's metric picker offers."""
    seen: dict[str, None] = {}
    for m in METRICS:
        seen.setdefault(m.family, None)
    return list(seen)


def family_label(family: str) -> str:
    """A family's name without the measure, e.g. "All GPs"."""
    for m in METRICS:
        if m.family == family:
            return m.label.removesuffix(" (headcount)").removesuffix(" (FTE)")
    return family


def in_family(family: str, measure: str) -> str:
    """The key of a family's metric in the wanted measure, or its only one."""
    candidates = [m for m in METRICS if m.family == family]
    for m in candidates:
        if m.measure == measure:
            return m.key
    return candidates[0].key if candidates else family
