"""The regions of the Xinzhou deployment (GB/T 2260; see shared/reference/domain-rules.md §4).

五台山风景名胜区 has only a statistical code (国家统计局 统计用区划代码 140971), not a GB/T 2260 one;
忻州经济开发区 has no national code at all, so the bureau defines 140900-KFQ."""

CITY = ("140900", "140900", "忻州市", "city")

COUNTY_LEVEL = [
    # (code, gb2260_code, name, kind)
    ("140902", "140902", "忻府区", "district"),
    ("140921", "140921", "定襄县", "county"),
    ("140922", "140922", "五台县", "county"),
    ("140923", "140923", "代县", "county"),
    ("140924", "140924", "繁峙县", "county"),
    ("140925", "140925", "宁武县", "county"),
    ("140926", "140926", "静乐县", "county"),
    ("140927", "140927", "神池县", "county"),
    ("140928", "140928", "五寨县", "county"),
    ("140929", "140929", "岢岚县", "county"),
    ("140930", "140930", "河曲县", "county"),
    ("140931", "140931", "保德县", "county"),
    ("140932", "140932", "偏关县", "county"),
    ("140981", "140981", "原平市", "county_city"),
    ("140971", "", "五台山风景名胜区", "zone"),
    ("140900-KFQ", "", "忻州经济开发区", "zone"),
]


def ensure_regions(region_model) -> None:
    """Create or update the rows above (used by migration 0002, with the historical model)."""
    code, gb, name, kind = CITY
    city, _ = region_model.objects.update_or_create(
        code=code, defaults={"gb2260_code": gb, "name": name, "kind": kind, "sort_order": 0}
    )
    for order, (code, gb, name, kind) in enumerate(COUNTY_LEVEL, start=1):
        region_model.objects.update_or_create(
            code=code,
            defaults={"gb2260_code": gb, "name": name, "kind": kind, "parent": city, "sort_order": order},
        )
