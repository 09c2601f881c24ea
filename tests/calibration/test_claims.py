"""The registry of cited claims: complete, verbatim, and pointing at real parameters."""

from __future__ import annotations

import dataclasses

import pytest

from sim.calibration.claims import CLAIMS, SEED_FILES, check_registry, claims_for, quote_in_seed, seeds_dir
from sim.calibration.priors import FROM_CLAIMS
from sim.params import PARAM_FIELDS

REQUIRED = ("Chad O'Carroll", "Hong Min", "Daniel Russel", "Ken Gause", "Bruce Bennett", "Evans Revere",
            "Artyom Lukin", "John Delury", "Leif-Eric Easley", "Cheong Seong-chang")

needs_seeds = pytest.mark.skipif(not seeds_dir().is_dir(), reason=f"seed articles not found at {seeds_dir()}")


def test_every_named_analyst_and_the_ccp_source_is_registered():
    analysts = {c.analyst for c in CLAIMS}
    assert set(REQUIRED) <= analysts
    ccp = [c for c in CLAIMS if c.kind == "source" and "Chinese Communist Party" in c.analyst]
    assert ccp
    assert all(c.seed == "004" for c in ccp)


def test_registry_is_consistent():
    check_registry()
    for c in CLAIMS:
        assert c.seed_file == SEED_FILES[c.seed]
        assert c.bearings, c.id
        assert c.date[:4] in {"2021", "2023", "2024"}
        assert all(b.parameter in PARAM_FIELDS for b in c.bearings)


def test_every_parameter_calibrated_from_claims_has_claims():
    for name in FROM_CLAIMS:
        assert claims_for(name), name


@needs_seeds
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_quote_appears_verbatim_in_its_seed(claim):
    assert quote_in_seed(claim)


@needs_seeds
def test_an_altered_quote_is_caught():
    claim = next(c for c in CLAIMS if c.id == "easley_low_trust")
    altered = dataclasses.replace(claim, quote=claim.quote.replace("so low", "so high"))
    assert altered.quote != claim.quote
    assert not quote_in_seed(altered)
    # whitespace does not matter, words do
    spaced = dataclasses.replace(claim, quote="  " + claim.quote.replace(" ", "\n  "))
    assert quote_in_seed(spaced)
