from gongkai_desktop.services.records import RecordService


def test_create_and_read_site(records: RecordService) -> None:
    made = records.create("site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "一村"})
    assert records.get(made.id).values["name"] == "龙河水库"
