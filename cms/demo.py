"""Demo: the home page's welcome text."""

from .services import site_ensure_home

INTRO = (
    "<p>面向全省检察人员的法治教育与业务培训平台：在线学习法治教育与业务课程，"
    "参加案件质量主要评价指标等专题测验，查看本人学时与证书。</p>"
    "<p>社会主义法治教育要做到“一个都不能少”，请在截止日期前完成指派的必修课程。</p>"
)


def seed(*, stdout=None) -> None:
    home = site_ensure_home()
    if home.intro != INTRO:
        home.intro = INTRO
        home.save_revision().publish()
