"""The one list of query parameters that only track a visit, and the test for them.

Used by `canonicalize_url` (the article key) and by discovery's `strip_tracking` (the URL
requested), so both drop the same parameters. A name is compared lowercased, with its
percent-escapes decoded and any `amp;` prefix removed: badly written sitemaps and feeds
escape `&` twice, so `?a=1&amp;utm_source=x` carries a parameter named `amp;utm_source`.

Only parameters that never select content belong here: `id`, `p`, `page`, `story`,
`article`, `q` and the like must never be added. Reads no settings.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "TRACKING_SUBSTRINGS", "is_tracking", "parameter_name"]

TRACKING_PARAMS = frozenset(
    {
        # Ad and social click ids.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "epik", "rdt_cid", "clickid", "click_id", "irclickid", "zanpid", "srsltid",
        # Social and newsletter referrers.
        "fb_ref", "fb_source", "fb_action_ids", "fb_action_types", "igshid", "igsh",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "vero_id", "vero_conv",
        "oly_anon_id", "oly_enc_id", "ref", "ref_src", "ref_url", "referrer", "sr_share",
        # Analytics cookies passed in the URL.
        "_ga", "_gl", "_ke", "_kx",
        # Publishers' campaign and placement codes.
        "cmpid", "cmp", "ocid", "icid", "ncid", "s_cid", "s_kwcid", "smid", "smtyp", "spm", "cid_source",
        "mbid", "wt.mc_id", "wt_mc", "wt_zmc", "at_medium", "at_campaign", "at_custom1", "at_custom2",
        "at_custom3", "at_custom4", "xtor", "trk", "trkcampaign", "sc_cid", "soc_src", "soc_trk",
        "campaign_id", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_", "itm_", "__twitter_impression", "hmb_", "matomo_")
# Affiliate markers come in many spellings: affiliate, affiliate_id, affiliateid, aff_affiliate...
TRACKING_SUBSTRINGS = ("affiliate",)


def parameter_name(raw: str) -> str:
    """How a raw query parameter name is compared: decoded, lowercased, `amp;` prefixes removed."""
    name = unquote(raw) if "%" in raw else raw
    name = name.lower()
    while name.startswith("amp;"):
        name = name[4:]
    return name


@lru_cache(maxsize=4096)
def is_tracking(raw: str) -> bool:
    """Whether a query parameter (its name as written in the URL) only tracks the visit."""
    name = parameter_name(raw)
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES) or any(s in name for s in TRACKING_SUBSTRINGS)
