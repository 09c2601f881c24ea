"""The registry of cited claims: what each analyst in the seeds said that bears on a parameter.

A :class:`Claim` is one view quoted in ``shared/seeds``: who said it (analyst, affiliation),
where (seed file) and when, the verbatim quote, and the parameters it bears on, each with a
direction (the view puts the parameter above or below the model's documented default, or at
it) and a strength (how directly the quote speaks to that quantity). :mod:`sim.calibration.priors`
turns the bearings into prior distributions by a fixed rule; ``trisim explain <parameter>``
prints them.

Strength scale: 1 = a hint (the quote speaks to the quantity indirectly), 2 = a direct view
of the quantity, 3 = a direct, emphatic view of the quantity itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sim.params import PARAM_FIELDS

HIGHER, AT, LOWER = +1, 0, -1
WEAK, MODERATE, STRONG = 1, 2, 3

#: Seed files (``shared/seeds``) by their three-digit number.
SEED_FILES = {
    "000": "000_bee6d117069eabcd.txt",
    "001": "001_90206b9d3a8c98d2.txt",
    "002": "002_7d03fc2a58da77fb.txt",
    "003": "003_7550922a75b1da23.txt",
    "004": "004_3a4e98204da12ba8.txt",
}


#: The seed figures the calibration is fitted to or checked on (:mod:`sim.calibration.history`):
#: a claim that reads one of them must not set a prior too.
TARGET_FIGURES = ("Xi-Kim exchanges, 10 in 2023 and 3 in 2024 (seed 000)",
                  "Victory Day photos, 84 of the Russian delegation and 30 of the Chinese (seed 001)")


@dataclass(frozen=True)
class Bearing:
    """How one claim bears on one parameter: direction relative to the model's default
    (+1 higher, 0 about right, -1 lower), strength 1-3, and why."""

    parameter: str
    direction: int
    strength: int
    why: str


@dataclass(frozen=True)
class Claim:
    """One cited view from the seeds.

    ``kind`` is ``analyst`` for outside analysts, ``official`` for officials and
    ``source`` for unnamed sources. ``date`` is the date of the article or report
    (ISO, to the precision the seed gives). ``interprets`` names a seed figure the claim is a
    reading of (one of :data:`TARGET_FIGURES`): such a claim does not set priors, because the
    figure itself is a target of the calibration, and a figure is used once.
    """

    id: str
    analyst: str
    affiliation: str
    seed: str
    date: str
    quote: str
    bearings: tuple[Bearing, ...]
    kind: str = "analyst"
    interprets: str = ""


    @property
    def seed_file(self) -> str:
        return SEED_FILES[self.seed]


def _b(parameter: str, direction: int, strength: int, why: str) -> Bearing:
    return Bearing(parameter, direction, strength, why)


CLAIMS: tuple[Claim, ...] = (
    # --- seed 000: NK Pro, September 2024 -------------------------------------------------
    Claim(
        "ocarroll_distance", "Chad O'Carroll", "NK Pro (founder)", "000", "2024-09",
        "indicates a palpable distance in the once-warm personal relationship between the two leaders",
        (_b("attention0_prk_chn", HIGHER, MODERATE,
            "the relationship was 'once-warm' in 2023 (10 exchanges), the year month 0 stands for"),
         _b("attention_rate", HIGHER, MODERATE, "a 'palpable distance' opened within a year: engagement moves fast"),
         _b("trust0_prk_chn", AT, WEAK, "warm words in 2023, but the distance opened quickly")),
        interprets=TARGET_FIGURES[0],
    ),
    Claim(
        "ukraine_intel_headaches", "Ukraine's military intelligence chief", "Ukraine, military intelligence",
        "000", "2024-09",
        "supplies of North Korean ammunition to Moscow have been causing major headaches for his country’s defense",
        (_b("munitions_capacity", HIGHER, WEAK, "the shipments matter at the front: large volumes"),),
        kind="official",
    ),
    # --- seed 001: Korea Times, Hong Min's KINU report of 29 July 2023 ----------------------
    Claim(
        "hongmin_cautious", "Hong Min", "Korea Institute for National Unification (KINU)", "001", "2023-07-29",
        "The difference in reporting appears to be a result of Russia's proactive approach compared to China's "
        "more cautious stance, rather than the North's intention.",
        (_b("war_value_rus", HIGHER, MODERATE, "Russia's proactive approach: it values PRK highly in wartime"),
         _b("value_chn", LOWER, WEAK, "China's cautious stance: it does not bid openly"),
         _b("pressure_cost_chn", HIGHER, MODERATE, "caution is the cost of overt support under US attention")),
        interprets=TARGET_FIGURES[1],
    ),
    Claim(
        "hongmin_symbolic", "Hong Min", "Korea Institute for National Unification (KINU)", "001", "2023-07-29",
        "It can be interpreted that China deliberately selected Li Hongzhong for the purpose of symbolic "
        "attendance, rather than showcasing close cooperation with North Korea",
        (_b("value_chn", LOWER, WEAK, "a low-rank delegation: China holds back its bid for influence"),),
    ),
    Claim(
        "hongmin_us_messages", "Hong Min", "Korea Institute for National Unification (KINU)", "001", "2023-07-29",
        "Beijing seemed to have considered recent visits by high-ranking U.S. officials and U.S. messages urging "
        "China's cooperation on North Korean issues",
        (_b("pressure_cost_chn", HIGHER, STRONG, "US pressure raises China's cost of overt support"),),
    ),
    Claim(
        "hongmin_limited", "Hong Min", "Korea Institute for National Unification (KINU)", "001", "2023-07-29",
        "Thus, their military cooperation will likely remain at a limited level.",
        (_b("tech_threshold", HIGHER, MODERATE, "no immediate technology transfer: Russia needs high trust"),
         _b("war_value_rus", AT, WEAK, "Russia wants wartime supplies, not a deep alliance")),
    ),
    # --- seed 002: VOA, late October 2023 ----------------------------------------------------
    Claim(
        "russel_options", "Daniel Russel", "Asia Society Policy Institute (former US assistant secretary of state)",
        "002", "2023-10",
        "Pyongyang is signaling to Beijing that it has other friends and other options as a way to strengthen "
        "its hand",
        (_b("outside_weight", HIGHER, STRONG, "other friends and options strengthen PRK's hand"),
         _b("value_rus", HIGHER, WEAK, "Russia is a real second option"),
         _b("attention0_prk_chn", AT, WEAK, "PRK still courts Beijing, the dominant side")),
    ),
    Claim(
        "russel_lopsided", "Daniel Russel", "Asia Society Policy Institute (former US assistant secretary of state)",
        "002", "2023-10",
        "in the very lopsided power dynamics between the PRC and the DPRK",
        (_b("value_chn", HIGHER, WEAK, "China dominates the relationship: its stake is large"),
         _b("stability_aid_chn", HIGHER, WEAK, "China's support is the bulk of what PRK gets")),
    ),
    Claim(
        "gause_counterweight", "Ken Gause", "CNA (Special Projects for Strategy and Policy Analysis)", "002",
        "2023-10",
        "It is using Russia as a counterweight to China",
        (_b("war_value_rus", HIGHER, MODERATE, "Russia is drawn in far enough to counter China"),
         _b("value_rus", HIGHER, WEAK, "Moscow is a patron worth courting")),
    ),
    Claim(
        "gause_second_source", "Ken Gause", "CNA (Special Projects for Strategy and Policy Analysis)", "002",
        "2023-10",
        "a second source of funding and supplies, especially for military technology that he is not getting "
        "from China.",
        (_b("mil_share_chn", LOWER, STRONG, "PRK does not get military technology from China"),
         _b("war_value_rus", HIGHER, WEAK, "Moscow funds and supplies PRK")),
    ),
    Claim(
        "gause_veto", "Ken Gause", "CNA (Special Projects for Strategy and Policy Analysis)", "002", "2023-10",
        "Pyongyang knows that Russia, also heavily sanctioned for invading Ukraine in 2022, will block any U.N. "
        "resolutions.",
        (_b("veto_hostility", LOWER, STRONG, "Russia vetoes readily: a low distrust threshold suffices"),),
    ),
    Claim(
        "bennett_no_full_trust", "Bruce Bennett", "RAND Corporation", "002", "2023-10",
        "it does not fully trust Beijing, especially when it comes to military support",
        (_b("trust0_prk_chn", LOWER, MODERATE, "PRK does not fully trust Beijing"),
         _b("mil_share_chn", LOWER, WEAK, "least of all for military support")),
    ),
    Claim(
        "bennett_betrayed", "Bruce Bennett", "RAND Corporation", "002", "2023-10",
        "Beijing felt betrayed when Kim executed his uncle Jang Song Thaek",
        (_b("trust0_chn_prk", LOWER, MODERATE, "China was wary of Kim and felt betrayed"),
         _b("betrayal_size", HIGHER, MODERATE, "one execution soured the relationship")),
    ),
    Claim(
        "revere_pillar", "Evans Revere", "former US State Department official", "002", "2023-10",
        "North Korea is focusing on improving relations with Russia not as an alternative to improve ties with "
        "the PRC, but in order to establish an additional pillar of support",
        (_b("stability_aid_chn", HIGHER, WEAK, "China stays the economic pillar"),
         _b("trust0_prk_chn", AT, WEAK, "ties with the PRC are not abandoned")),
    ),
    Claim(
        "revere_main_source", "Evans Revere", "former US State Department official", "002", "2023-10",
        "Pyongyang is keeping Beijing close as its main source of food, fuel and other assistance while propping "
        "up the military leg of its national security with Moscow",
        (_b("food_share", AT, MODERATE, "food is part of what China gives (the quote ranks China among PRK's "
                                          "suppliers; it does not say food is most of China's aid)"),
         _b("stability_aid_chn", HIGHER, MODERATE, "China is the main source of assistance"),
         _b("mil_share_rus", HIGHER, MODERATE, "Russia is the military leg")),
    ),
    Claim(
        "revere_both", "Evans Revere", "former US State Department official", "002", "2023-10",
        "Pyongyang’s goal is not to move away from Beijing or Moscow. Rather, the goal is to grow closer to both.",
        (_b("trust0_prk_chn", HIGHER, WEAK, "PRK wants to grow closer to Beijing"),
         _b("trust0_prk_rus", HIGHER, WEAK, "and to Moscow")),
    ),
    # --- seed 003: Reuters, 13 September 2023 --------------------------------------------------
    Claim(
        "lukin_no_allies", "Artyom Lukin", "Far Eastern Federal University", "003", "2023-09-13",
        "North Korea has basically been on its own, without any true allies",
        (_b("trust0_prk_chn", LOWER, MODERATE, "not even China is a true ally"),
         _b("trust0_prk_rus", LOWER, WEAK, "nor, yet, Russia")),
    ),
    Claim(
        "lukin_equals", "Artyom Lukin", "Far Eastern Federal University", "003", "2023-09-13",
        "Unlike the China-North Korea alliance, the Russia-North Korea alliance will be that of equals",
        (_b("war_value_rus", HIGHER, MODERATE, "Russia needs PRK as much as PRK needs Russia"),
         _b("trust0_rus_prk", HIGHER, WEAK, "an alliance of equals rests on mutual regard")),
    ),
    Claim(
        "delury_played", "John Delury", "Yonsei University", "003", "2023-09-13",
        "subtly and effectively played on the vanities and anxieties of Beijing and Moscow, who were locked in a "
        "competition for dominance within the socialist bloc",
        (_b("value_chn", HIGHER, MODERATE, "Beijing's anxiety about losing PRK: a high value of influence"),
         _b("value_rus", HIGHER, WEAK, "Moscow competes too")),
    ),
    Claim(
        "delury_miffed", "John Delury", "Yonsei University", "003", "2023-09-13",
        "we should not dismiss the possibility that the Chinese are a bit miffed seeing Kim choose Putin over them",
        (_b("jealousy", HIGHER, MODERATE, "China's trust in PRK falls as Kim turns to Putin"),
         _b("attention_rate", HIGHER, WEAK, "Kim's first trip in years went to Putin: attention can switch at once"),
         _b("trust0_chn_prk", LOWER, WEAK, "China's regard for Kim is thin")),
    ),
    Claim(
        "easley_crown_jewels", "Leif-Eric Easley", "Ewha Womans University", "003", "2023-09-13",
        "even a desperate war machine does not trade its military crown jewels for old, dumb munitions",
        (_b("tech_threshold", HIGHER, STRONG, "sensitive technology needs very high trust"),
         _b("munitions_capacity", LOWER, WEAK, "old, dumb munitions: worth less per round")),
    ),
    Claim(
        "easley_low_trust", "Leif-Eric Easley", "Ewha Womans University", "003", "2023-09-13",
        "Trust is so low among Russia, North Korea, and China that a real alliance of the three isn’t credible "
        "or sustainable.",
        (_b("trust0_prk_chn", LOWER, STRONG, "trust among the three is very low"),
         _b("trust0_chn_prk", LOWER, STRONG, "in both directions"),
         _b("trust0_prk_rus", LOWER, MODERATE, "Russia included"),
         _b("trust0_rus_prk", LOWER, MODERATE, "Russia included"),
         _b("alliance_threshold", HIGHER, WEAK, "a real alliance needs much more trust")),
    ),
    # --- seed 004: Nikkei Asia, July 2021 ---------------------------------------------------------
    Claim(
        "cheong_only_china", "Cheong Seong-chang", "Sejong Institute (Center for North Korean Studies)", "004",
        "2021-07",
        "Kim Jong Un expressed his interest in cooperating only with China, and continuing with hostility "
        "against the U.S.",
        (_b("attention0_prk_chn", HIGHER, WEAK, "PRK's attention goes to China"),
         _b("trust0_prk_usa", LOWER, STRONG, "continuing hostility against the US")),
    ),
    Claim(
        "cheong_manage", "Cheong Seong-chang", "Sejong Institute (Center for North Korean Studies)", "004",
        "2021-07",
        "Xi signaled that he intends to manage developments in the Korean Peninsula in a consistent manner.",
        (_b("stability_aid_chn", HIGHER, MODERATE, "China pays for stability on the peninsula"),),
    ),
    Claim(
        "ccp_bargaining_chip", "unnamed Chinese Communist Party source", "Chinese Communist Party", "004", "2021-07",
        "China considers North Korea a bargaining chip in negotiations with Washington. But Beijing \"did not "
        "have enough control over the situation\" in the past",
        (_b("value_chn", HIGHER, STRONG, "PRK is a bargaining chip China wants more control over"),
         _b("rivalry_value_chn", HIGHER, MODERATE, "its value is in negotiations with Washington")),
        kind="source",
    ),
    Claim(
        "wang_yi_stability", "Wang Yi", "China, foreign minister and state councilor", "004", "2021-07",
        "We will, as always, continue to play a constructive role for the realization of enduring peace and "
        "stability on the peninsula.",
        (_b("stability_aid_chn", HIGHER, WEAK, "China's stated aim is stability on the peninsula"),),
        kind="official",
    ),
)


def claims_for(parameter: str) -> list[Claim]:
    """Claims with a bearing on ``parameter``, in registry order."""
    return [c for c in CLAIMS if any(b.parameter == parameter for b in c.bearings)]


def bearings_for(parameter: str, claims: tuple[Claim, ...] | None = None) -> list[tuple[Claim, Bearing]]:
    """Each (claim, bearing) pair on ``parameter`` that sets its prior, in the registry (or in
    ``claims``); a bearing of strength 0 (re-coded away) bears on nothing, and a claim that reads
    a target figure (``interprets``) sets no prior."""
    return [(c, b) for c in (CLAIMS if claims is None else claims) for b in c.bearings
            if b.parameter == parameter and b.strength > 0 and not c.interprets]


def seeds_dir() -> Path:
    """Where the seed articles are: ``$TRISIM_SEEDS`` or ``<repo>/../shared/seeds``."""
    env = os.environ.get("TRISIM_SEEDS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def normalise(text: str) -> str:
    """Text with every run of whitespace made one space (for verbatim comparison)."""
    return re.sub(r"\s+", " ", text).strip()


def quote_in_seed(claim: Claim, folder: Path | None = None) -> bool:
    """Whether ``claim.quote`` appears verbatim (whitespace-normalised) in its seed file."""
    text = (folder or seeds_dir()).joinpath(claim.seed_file).read_text(encoding="utf-8")
    return normalise(claim.quote) in normalise(text)


def check_registry() -> None:
    """Raise ``ValueError`` if a bearing names an unknown parameter or an invalid grade."""
    ids = [c.id for c in CLAIMS]
    if len(set(ids)) != len(ids):
        raise ValueError("claim ids are not unique")
    for c in CLAIMS:
        if c.seed not in SEED_FILES:
            raise ValueError(f"claim {c.id!r}: unknown seed {c.seed!r}")
        if c.interprets and c.interprets not in TARGET_FIGURES:
            raise ValueError(f"claim {c.id!r}: interprets {c.interprets!r}, which is no target figure; "
                             f"target figures: {'; '.join(TARGET_FIGURES)}")
        for b in c.bearings:
            if b.parameter not in PARAM_FIELDS:
                raise ValueError(f"claim {c.id!r}: unknown parameter {b.parameter!r}")
            if b.direction not in (HIGHER, AT, LOWER) or b.strength not in (WEAK, MODERATE, STRONG):
                raise ValueError(f"claim {c.id!r}: bad direction/strength on {b.parameter!r}")
