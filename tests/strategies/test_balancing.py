import pytest

from sim.actors import CHN, PRK, RUS
from tests.strategies.encounters import encounter


@pytest.mark.parametrize(("bid_chn", "bid_rus"), [(3.0, 1.0), (1.0, 3.0)])
def test_attention_goes_to_whoever_offers_more(bid_chn, bid_rus):
    """Delury (seed 003) and Russel (seed 002): PRK plays the patrons against each other."""
    s = encounter("balancing", bid_chn, bid_rus, months=120)
    share_chn = s.attention[0, PRK, CHN] / (s.attention[0, PRK, CHN] + s.attention[0, PRK, RUS])
    assert share_chn == pytest.approx(bid_chn / (bid_chn + bid_rus), abs=1e-4)


def test_the_outbid_patron_grows_jealous():
    """Delury (seed 003): 'the Chinese are a bit miffed seeing Kim choose Putin over them'."""
    outbid = encounter("balancing", bid_chn=1.0, bid_rus=3.0, months=120)
    ahead = encounter("balancing", bid_chn=3.0, bid_rus=1.0, months=120)
    assert outbid.trust[0, CHN, PRK] < ahead.trust[0, CHN, PRK]
