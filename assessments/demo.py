"""Demo content: a question bank over the indicator catalogue, quizzes for the demo
courses, and realistic finished attempts by demo staff (idempotent).

Questions are written for testing the platform, not official exam content. Attempts
are generated with a fixed seed; units G0301 and G0402 are markedly weaker on
questions about the case-to-matter ratio, so statistics and mastery have signal.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from organisation.models import BusinessLine, Indicator, StaffProfile

from .models import Attempt, AttemptItem, Category, Question, Quiz, QuizSlot, Response
from .services import category_ensure, question_current_version, question_upsert

SEED = 20261126
WEAK_UNITS = ("G0301", "G0402")

DIRECTION_TEXT = {
    "higher_better": "越高越好（正向指标）",
    "lower_better": "越低越好（反向指标）",
    "range": "保持在合理区间（区间指标）",
}


def _write(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _q(
    code,
    category,
    type_,
    text,
    *,
    options=(),
    explanation="",
    indicators=(),
    points="1",
    **fields,
):
    return {
        "code": code,
        "category": category,
        "type": type_,
        "text": text,
        "options": list(options),
        "explanation": explanation,
        "indicators": list(indicators),
        "points": points,
        **fields,
    }


# Practice quizzes draw from categories of their own, never from an exam's pool
# (assessments.pools).
PRACTICE_CALC = "课堂练习/案-件比计算"
PRACTICE_DIRECTIONS = "课堂练习/指标方向"


def _calc_questions(rng: random.Random) -> list[dict]:
    rows = []
    scenarios = [
        (400, 700, 300, (120, 90, 30, 10)),
        (350, 620, 260, (80, 70, 25, 6)),
        (520, 900, 410, (150, 110, 40, 12)),
        (210, 380, 150, (40, 35, 12, 3)),
        (600, 980, 450, (200, 140, 55, 20)),
        (300, 540, 220, (60, 50, 18, 5)),
    ]
    for i, (arrest, pros, moved, extra) in enumerate(scenarios, start=1):
        cases = arrest + pros - moved
        items = cases + sum(extra)
        ratio = (Decimal(items) / Decimal(cases)).quantize(Decimal("0.01"))
        rows.append(
            _q(
                f"CR-CALC-{i:02d}",
                # The first three are exam questions; the rest are for practice.
                "指标解读/案-件比/计算" if i <= 3 else PRACTICE_CALC,
                "numeric",
                f"某基层院某年受理审查逮捕案件{arrest}件，受理审查起诉案件{pros}件，"
                f"其中已经审查逮捕后移送审查起诉的{moved}件；当年发生退回补充侦查"
                f"{extra[0]}件次、延长审查起诉期限{extra[1]}件次、一审后被告人上诉"
                f"{extra[2]}件、不捕复议复核{extra[3]}件。按“件=案+非必要诉讼环节”的"
                "简化口径，该院刑事检察“案-件比”为 1:x，x 是多少？（保留两位小数）",
                numeric_answer=ratio,
                tolerance=Decimal("0.01"),
                explanation=f"案 = {arrest} + {pros} − {moved} = {cases}；"
                f"件 = {cases} + {sum(extra)} = {items}；{items} ÷ {cases} ≈ {ratio}，"
                f"即 1:{ratio}。",
                indicators=["case_ratio_criminal"],
                points="2",
                difficulty=3,
            )
        )
    for i, (cases, extra) in enumerate([(800, 250), (500, 90), (1200, 180)], start=1):
        rows.append(
            _q(
                f"CR-CASES-{i:02d}",
                "指标解读/案-件比/计算" if i == 1 else PRACTICE_CALC,
                "numeric",
                f"某院“案”为{cases}件，非必要诉讼环节共{extra}件次。“件”是多少件？",
                numeric_answer=Decimal(cases + extra),
                explanation=f"件 = 案 + 非必要诉讼环节 = {cases} + {extra} = {cases + extra}。",
                indicators=["case_ratio_criminal"],
            )
        )
    return rows


def _fixed_questions() -> list[dict]:
    return [
        _q(
            "IND-CORE-01",
            "指标解读/体系沿革",
            "single",
            "《检察机关案件质量主要评价指标》以哪一指标为核心构建？",
            options=[
                ("不捕率", 0),
                ("案-件比", 1),
                ("认罪认罚从宽制度适用率", 0),
                ("诉前羁押率", 0),
            ],
            explanation="评价指标体系“以案-件比为核心”构建。",
            indicators=["case_ratio_criminal"],
        ),
        _q(
            "BL-TEN-01",
            "业务知识/十大业务",
            "multiple",
            "下列属于检察机关“十大业务”的有？",
            options=[
                ("普通犯罪检察", 1),
                ("刑事执行检察", 1),
                ("未成年人检察", 1),
                ("案件管理", 0),
                ("控告申诉检察", 1),
            ],
            explanation="案件管理是业务支撑部门，不属于十大业务。",
        ),
        _q(
            "CR-STAGE-01",
            "指标解读/案-件比",
            "multiple",
            "下列哪些环节会增加刑事检察“案-件比”中的“件”？",
            options=[
                ("退回补充侦查", Decimal("0.33333")),
                ("延长审查起诉期限", Decimal("0.33333")),
                ("一审判决后被告人上诉", Decimal("0.33334")),
                ("首次受理审查逮捕", -1),
            ],
            multiple_grading="partial",
            explanation="首次受理形成“案”；只有可以避免的非必要环节才增加“件”。",
            indicators=["case_ratio_criminal"],
        ),
        _q(
            "PLEA-TF-01",
            "指标解读/刑事检察指标",
            "true_false",
            "认罪认罚从宽制度适用率越高越好，应当追求100%。",
            correct_bool=False,
            explanation="目标是稳定在70%左右以上并注重质量，把适用率当作“越高越好”违背司法规律。",
            indicators=["plea_leniency_rate"],
        ),
        _q(
            "NONPROS-DEN-01",
            "指标解读/刑事检察指标",
            "single",
            "按最高检公布数据的口径，不起诉率的分母是？",
            options=[
                ("受理审查起诉人数", 0),
                ("决定起诉人数＋决定不起诉人数", 1),
                ("批准逮捕人数", 0),
                ("法院判决人数", 0),
            ],
            explanation="例：2022年一季度 8.3万 ÷（32.9万 + 8.3万）≈ 20.1%。",
            indicators=["non_prosecution_rate"],
        ),
        _q(
            "DIR-MULTI-01",
            "指标解读/指标方向",
            "multiple",
            "下列哪些属于“越低越好”（反向）指标？",
            options=[
                ("捕后不诉率", 1),
                ("无罪判决率", 1),
                ("诉前检察建议回复整改率", 0),
                ("撤回起诉率", 1),
            ],
            explanation="诉前检察建议回复整改率是正向指标。",
            indicators=[
                "post_arrest_non_pros_rate",
                "acquittal_rate",
                "withdrawal_of_prosecution_rate",
            ],
        ),
        _q(
            "HIST-TF-01",
            "指标解读/体系沿革",
            "true_false",
            "2024年10月，最高检提出“一取消三不再”，其中包括不再对各地业务数据进行排名通报。",
            correct_bool=True,
            explanation="同时不再适用评价指标体系，取消通报值。",
        ),
        _q(
            "HIST-NUM-01",
            "指标解读/体系沿革",
            "single",
            "《评价指标》指标数量的演变，正确的是？",
            options=[
                ("87→60→46→38", 1),
                ("60→87→46→38", 0),
                ("87→46→60→38", 0),
                ("51→87→60→46", 0),
            ],
            option_order="authored",
            explanation="2020年87项 → 2021年10月60项 → 2023年3月46项 → 2024年1月38项。",
        ),
        _q(
            "TIER-01",
            "指标解读/指标方向",
            "single",
            "某基层院诉前羁押率35%，全省平均42%。该指标“越低越好”，演示规则：优于全省平均5个百分点以上为上游，"
            "±5个百分点以内为中游，其余为下游。该院该项指标属于？",
            options=[("上游", 1), ("中游", 0), ("下游", 0), ("无法判断", 0)],
            option_order="authored",
            explanation="35% 比全省平均好 7 个百分点，超过 5 个百分点，属上游（演示规则，非官方规则）。",
            indicators=["pretrial_detention_rate"],
        ),
        _q(
            "CR-IDEAL-01",
            "指标解读/案-件比",
            "short",
            "刑事检察“案-件比”的理想值是多少？（写成 1:x 的形式）",
            accepted_answers="1:1\n1：1",
            explanation="理想值为 1:1，即一案一件、没有非必要的诉讼环节。",
            indicators=["case_ratio_criminal"],
        ),
        _q(
            "CR-MEANING-01",
            "指标解读/案-件比",
            "true_false",
            "“案-件比”中的“件”数越多，说明办案质效越好。",
            correct_bool=False,
            explanation="“件”多意味着非必要环节多，当事人感受差，指标为反向。",
            indicators=["case_ratio_criminal"],
        ),
        _q(
            "ESSAY-01",
            "业务知识/案件质量分析",
            "essay",
            "结合本院情况，谈谈如何通过减少退回补充侦查来改善“案-件比”。（300字以内）",
            explanation="要点：提前介入引导取证、规范退查提纲、加强与侦查机关沟通、开展案件质量评查。",
            indicators=["case_ratio_criminal", "supplementary_investigation_rate"],
            points="5",
        ),
        _q(
            "ESSAY-02",
            "业务知识/案件质量分析",
            "essay",
            "简述“指标只是自我诊断工具，不是排名”的含义及其对日常工作的要求。",
            explanation="要点：不唯数据、不搞排名、关注质效和群众感受。",
            points="5",
        ),
    ]


def _indicator_questions(
    indicators: list[Indicator], lines: list[BusinessLine], rng: random.Random
) -> list[dict]:
    rows = []
    directions = 0
    all_dirs = list(DIRECTION_TEXT.items())
    for indicator in indicators:
        options = [
            (text, 1 if key == indicator.direction else 0) for key, text in all_dirs
        ]
        if indicator.code.startswith("case_ratio"):
            group = "指标解读/案-件比"
        else:
            # Every other indicator's question goes to the lesson practice, so that
            # the practice quiz never draws from the final exam's category.
            directions += 1
            group = "指标解读/指标方向" if directions % 2 else PRACTICE_DIRECTIONS
        rows.append(
            _q(
                f"DIR-{indicator.code}"[:64],
                group,
                "single",
                f"“{indicator.name}”属于哪一类指标？",
                options=options,
                option_order="authored",
                explanation=f"{indicator.name}：{DIRECTION_TEXT[indicator.direction]}。"
                + (f"计算口径：{indicator.formula}" if indicator.formula else ""),
                indicators=[indicator.code],
                difficulty=1,
            )
        )
        if indicator.business_line_id:
            others = [b for b in lines if b.pk != indicator.business_line_id]
            picks = rng.sample(others, min(3, len(others)))
            options = [(indicator.business_line.name, 1)] + [(b.name, 0) for b in picks]
            rows.append(
                _q(
                    f"BL-{indicator.code}"[:64],
                    "业务知识/指标归属",
                    "single",
                    f"“{indicator.name}”主要用于评价哪一业务条线？",
                    options=options,
                    explanation=f"该指标归属{indicator.business_line.name}。",
                    indicators=[indicator.code],
                    difficulty=2,
                )
            )
    return rows


def build_bank(*, stdout=None) -> dict[str, int]:
    rng = random.Random(SEED)
    indicators = list(
        Indicator.objects.select_related("business_line").order_by("code")
    )
    lines = list(BusinessLine.objects.order_by("code"))
    known = {i.code: i for i in indicators}
    rows = (
        _fixed_questions()
        + _calc_questions(rng)
        + _indicator_questions(indicators, lines, rng)
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    categories: dict[str, Category] = {}
    for row in rows:
        path = row.pop("category")
        if path not in categories:
            categories[path] = category_ensure(path=path)
        tags = [known[c] for c in row.pop("indicators") if c in known]
        bls = {t.business_line for t in tags if t.business_line_id}
        options = [{"text": t, "fraction": f} for t, f in row.pop("options")]
        code = row.pop("code")
        fields = {
            "category": categories[path],
            "points": Decimal(row.pop("points")),
            **row,
        }
        outcome = question_upsert(
            code=code,
            fields=fields,
            options=options,
            indicators=tags,
            business_lines=sorted(bls, key=lambda b: b.code),
        )
        counts[outcome] += 1
    _write(stdout, f"question bank: {counts}")
    return counts


QUIZZES = [
    {
        "slug": "ind-101-final",
        "title": "指标解读结业测验",
        "description": "检验对案件质量主要评价指标含义、方向和口径的掌握。共10题，限时20分钟。",
        "time_limit_minutes": 20,
        "pass_mark": 60,
        "attempts_allowed": 3,
        "success_text": "恭喜通过！可以在“我的学习”中查看结业情况。",
        "fail_text": "未达到及格线，请复习课程“指标解读”后再试。",
        "draws": [
            ("指标解读/案-件比", 3),
            ("指标解读/指标方向", 4),
            ("指标解读/体系沿革", 1),
            ("业务知识/指标归属", 2),
        ],
    },
    {
        "slug": "ind-102-final",
        "title": "案-件比计算测验",
        "description": "根据给定数据计算“案”“件”和“案-件比”。限时15分钟。",
        "time_limit_minutes": 15,
        "pass_mark": 60,
        "random_order": True,
        "fixed": [
            "CR-CALC-01",
            "CR-CALC-02",
            "CR-CALC-03",
            "CR-CASES-01",
            "CR-STAGE-01",
            "CR-MEANING-01",
            "CR-IDEAL-01",
        ],
    },
    {
        "slug": "ind-102-lesson-calc",
        "title": "课堂练习：案-件比怎么算",
        "description": "三道练习题，答完每题即可查看解析。",
        "pass_mark": 60,
        "feedback_mode": "immediate",
        "exam_paper": False,
        "right_answers_after": "each_attempt",
        "fixed": ["CR-CALC-04", "CR-CASES-02", "CR-CALC-05"],
    },
    {
        "slug": "ind-101-lesson-directions",
        "title": "课堂练习：指标的方向",
        "description": "判断指标是越高越好、越低越好还是区间指标。",
        "pass_mark": 60,
        "feedback_mode": "immediate",
        "exam_paper": False,
        "right_answers_after": "each_attempt",
        "draws": [(PRACTICE_DIRECTIONS, 5)],
    },
    {
        "slug": "case-quality-essay",
        "title": "案件质量分析简答",
        "description": "两道简答题，由培训部门老师阅卷。",
        "pass_mark": 60,
        "single_attempt": True,
        "fixed": ["ESSAY-01", "ESSAY-02", "IND-CORE-01", "PLEA-TF-01"],
    },
]


def build_quizzes(*, stdout=None) -> list[Quiz]:
    quizzes = []
    for spec in QUIZZES:
        spec = dict(spec)
        draws = spec.pop("draws", [])
        fixed = spec.pop("fixed", [])
        slug = spec.pop("slug")
        quiz, created = Quiz.objects.get_or_create(
            slug=slug, defaults={**spec, "draft": False}
        )
        if created:
            slots = [
                QuizSlot(
                    quiz=quiz, question=Question.objects.get(code=code), sort_order=i
                )
                for i, code in enumerate(fixed)
            ]
            slots += [
                QuizSlot(
                    quiz=quiz,
                    draw_count=n,
                    sort_order=len(fixed) + i,
                    draw_category=Category.objects.get(path=path),
                )
                for i, (path, n) in enumerate(draws)
            ]
            QuizSlot.objects.bulk_create(slots)
        quizzes.append(quiz)
    _write(stdout, f"quizzes: {len(quizzes)}")
    return quizzes


def _answer_for(data: dict, keys: list[str], correct: bool, rng: random.Random) -> dict:
    kind = data["type"]
    right = [o["key"] for o in data["options"] if Decimal(str(o["fraction"])) > 0]
    wrong = [o["key"] for o in data["options"] if Decimal(str(o["fraction"])) <= 0]
    if kind == "single":
        return {"keys": [right[0] if correct or not wrong else rng.choice(wrong)]}
    if kind == "multiple":
        if correct:
            return {"keys": right}
        picked = right[:-1] + ([rng.choice(wrong)] if wrong else [])
        return {"keys": picked}
    if kind == "true_false":
        return {"value": bool(data["correct_bool"]) == correct}
    if kind == "numeric":
        value = Decimal(data["numeric_answer"])
        return {"text": str(value if correct else value + Decimal("0.17"))}
    if kind == "short":
        return {"text": data["accepted"][0] if correct else "1:2"}
    return {
        "text": "结合工作实际，应当提前介入引导取证，规范退查，减少不必要的诉讼环节。"
    }


def _attempt_plan(staff: list, quizzes: dict, rng: random.Random) -> list[tuple]:
    """(person, quiz, ability, weak) for each demo attempt, in creation order."""
    unit_offset: dict[str, float] = {}
    plan = []
    people = rng.sample(staff, min(len(staff), 320))
    for person in people:
        grassroots = (
            person.unit.path.split("/")[2]
            if person.unit.path.count("/") >= 3
            else person.unit.code
        )
        offset = unit_offset.setdefault(grassroots, rng.uniform(-0.06, 0.06))
        ability = min(0.97, max(0.25, rng.gauss(0.72, 0.12) + offset))
        weak = grassroots in WEAK_UNITS
        plan.append((person, quizzes["ind-101-final"], ability, weak))
        if rng.random() < 0.6:
            plan.append((person, quizzes["ind-102-final"], ability, weak))
            if rng.random() < 0.3:
                plan.append(
                    (person, quizzes["ind-102-final"], min(0.97, ability + 0.1), weak)
                )
        if rng.random() < 0.25:
            plan.append((person, quizzes["ind-102-lesson-calc"], ability, weak))
    essay_people = rng.sample(people, 16)
    for person in essay_people:
        plan.append((person, quizzes["case-quality-essay"], 0.7, False))
    return plan


def _settle_scores(attempts: list, responses: list) -> None:
    """Score, percentage, status and pass mark of each attempt from its responses."""
    totals: dict[int, list] = {}
    for response in responses:
        entry = totals.setdefault(response.item.attempt_id, [Decimal(0), False])
        entry[0] += response.score or 0
        entry[1] = entry[1] or response.needs_marking
    for attempt in attempts:
        score, waiting = totals.get(attempt.pk, [Decimal(0), False])
        attempt.score = score.quantize(Decimal("0.01"))
        attempt.score_percent = (
            max(score, Decimal(0)) * 100 / attempt.max_score if attempt.max_score else 0
        ).quantize(Decimal("0.01"))
        attempt.status = (
            Attempt.Status.AWAITING_MARKING if waiting else Attempt.Status.FINISHED
        )
        attempt.passed = (
            None if waiting else attempt.score_percent >= attempt.quiz.pass_mark
        )


def build_attempts(*, stdout=None) -> int:
    if Attempt.objects.filter(quiz__slug="ind-101-final", preview=False).exists():
        _write(stdout, "demo attempts already present")
        return 0
    from .services.attempts import _grade_response, _option_keys, quiz_question_list

    rng = random.Random(SEED)
    staff = list(
        StaffProfile.objects.filter(active=True)
        .exclude(user__username__in=["admin", "trainer", "leader", "unitlead", "staff"])
        .select_related("unit")
        .order_by("staff_no")
    )
    if not staff:
        return 0
    case_ratio_questions = set(
        Question.objects.filter(indicators__code__startswith="case_ratio").values_list(
            "pk", flat=True
        )
    )
    quizzes = {
        q.slug: q for q in Quiz.objects.filter(slug__in=[s["slug"] for s in QUIZZES])
    }
    plan = _attempt_plan(staff, quizzes, rng)

    now = timezone.now()
    versions: dict[int, object] = {}
    cache: dict = {}
    numbers: dict[tuple[int, int], int] = {}
    attempts, item_specs = [], []
    for person, quiz, ability, weak in plan:
        key = (person.user_id, quiz.pk)
        numbers[key] = numbers.get(key, 0) + 1
        started = now - dt.timedelta(
            days=rng.randint(1, 150), minutes=rng.randint(0, 600)
        )
        attempts.append(
            Attempt(
                user_id=person.user_id,
                quiz=quiz,
                number=numbers[key],
                status=Attempt.Status.IN_PROGRESS,
                seq=3,
                finished_at=started + dt.timedelta(minutes=rng.randint(4, 14)),
                ending=Attempt.Ending.SUBMITTED,
            )
        )
        item_specs.append(
            (quiz_question_list(quiz, rng, cache), ability, weak, started)
        )
    Attempt.objects.bulk_create(attempts)
    attempts = list(
        Attempt.objects.filter(quiz__in=quizzes.values(), preview=False)
        .select_related("quiz")
        .order_by("pk")
    )
    items = []
    answers = {}
    for attempt, (questions, ability, weak, started) in zip(
        attempts, item_specs, strict=True
    ):
        attempt.started_at = started
        total = Decimal(0)
        for position, (slot_position, question) in enumerate(questions, start=1):
            if question.pk not in versions:
                versions[question.pk] = question_current_version(question=question)
            version = versions[question.pk]
            points = Decimal(version.data["points"])
            total += points
            p = ability - 0.12 * (question.difficulty - 2)
            if weak and question.pk in case_ratio_questions:
                p -= 0.32
            correct = rng.random() < max(0.05, min(0.98, p))
            item = AttemptItem(
                attempt=attempt,
                position=position,
                question=question,
                version=version,
                slot_position=slot_position,
                points=points,
                option_keys=_option_keys(version.data, rng),
            )
            items.append(item)
            answers[(attempt.pk, position)] = _answer_for(
                version.data, [], correct, rng
            )
        attempt.max_score = total
    Attempt.objects.bulk_update(attempts, ["started_at", "max_score"])
    AttemptItem.objects.bulk_create(items, batch_size=2000)
    saved = AttemptItem.objects.filter(attempt__in=attempts).select_related("version")
    responses = []
    for item in saved:
        response = Response(
            item=item, answer=answers[(item.attempt_id, item.position)], seq=2
        )
        _grade_response(response, item)
        responses.append(response)
    Response.objects.bulk_create(responses, batch_size=2000)
    _settle_scores(attempts, responses)
    Attempt.objects.bulk_update(
        attempts, ["score", "score_percent", "status", "passed"], batch_size=500
    )
    # Leave most essays for the marking queue; the first few are marked.
    _write(stdout, f"demo attempts: {len(attempts)}")
    return len(attempts)


def seed(*, stdout=None) -> None:
    build_bank(stdout=stdout)
    build_quizzes(stdout=stdout)
    build_attempts(stdout=stdout)
