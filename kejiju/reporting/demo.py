def seed_reporting_demo(*, stdout):
    pass
