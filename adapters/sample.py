"""The sample records a first run starts with, taken from the seed articles.

Every record here is something the articles report, with the article named as
its source, and is marked ``sample=True`` so ``gpwatch reset-sample`` can take
exactly these away. Where an article leaves a fact out (an exact date, the
other four of HEE's ten commitments) the record says so rather than guess.
"""

from __future__ import annotations

from datetime import date

from adapters.provenance import Source
from adapters.records.campaigns import Campaign, Goal, Milestone
from adapters.records.models import Letter
from adapters.records.pledges import Commitment, Pledge
from adapters.workforce.series import Figure, Target

HUNT_BACKS_CAMPAIGN = Source(
    title="Jeremy Hunt Backs GP Trainees Campaign Amid Recruitment Crisis",
    publisher="news report (seed article 000)",
    published=date(2015, 9, 24),
    reference="seed 000_b608e54b98c75a6f",
)
PORTFOLIO_CAREERS = Source(
    title="GP's encouraged to consider portfolio careers!",
    publisher="Barrie Hopson, blog",
    published=date(2018, 4, 4),
    reference="seed 001_3a1b73c1ad0ef4f7",
)
GP_HEALTH_SERVICE = Source(
    title="New specialised service for GPs (Helena McKeown, deputy chair, BMA Representative Body)",
    publisher="BMA website",
    reference="seed 002_93411e3c307f0cb5",
)
LMCS_URGE_GPC = Source(
    title="LMCs urge BMA GP leads to restore dialogue with NHS England",
    publisher="Pulse",
    published=date(2021, 9, 2),
    reference="seed 003_70ea9c1a563c1c95",
)
HEE_RETURN_TO_TRAINING = Source(
    title="HEE pledges £10 million to help trainee doctors return to work",
    publisher="Pulse",
    reference="seed 004_2acab78bfe2b8fed",
)
HEE_RECORD_INTAKE = Source(
    title="Record breaking number of doctors entering GP specialty training (HEE, quoted in "
    "the readers' comments of 'HEE pledges £10 million to help trainee doctors return to work')",
    publisher="Health Education England",
    published=date(2017, 11, 27),
    reference="seed 004_2acab78bfe2b8fed",
)

NINE_LMCS = (
    "Northumberland LMC",
    "Lancashire & Cumbria LMCs",
    "Humberside LMC",
    "Kent LMC",
    "Cheshire LMC",
    "Derbyshire LMC",
    "Devon LMC",
    "Nottinghamshire LMC",
    "Lincolnshire LMC",
)


def sample_letters() -> list[Letter]:
    return [
        Letter(
            subject="Restore dialogue with NHS England",
            counterparty="BMA GPC",
            lmcs=NINE_LMCS,
            direction="outgoing",
            status="sent",
            # The day Pulse reported the letter; its own date, a reply date and any
            # due date were not published, so none is invented.
            sent=date(2021, 9, 2),
            summary=(
                "Nine LMC lead officers and medical directors write to GPC, which had paused "
                "all meetings with NHS England in May 2021 after a no-confidence motion over "
                "face-to-face appointments. They accept the reasons for the pause but say the "
                "'current impasse' compromises LMCs' core functions, and offer their support "
                "for any action that leads to a change. Sent date is the day Pulse reported "
                "the letter; the letter's own date was not published."
            ),
            asks=(
                "GPC to restore dialogue with NHS England (NHSEI)",
                "A return to a constructive relationship with NHSEI, in the interests of "
                "general practice and of patients",
            ),
            outcome=(
                "No reply reported. The BMA would not comment on private correspondence; GPC "
                "was to discuss next steps at a forthcoming meeting. NHS England had by then "
                "invited the BMA back to formal meetings, and the BMA welcomed its "
                "'change in tone'."
            ),
            tags=("LMC", "BMA/GPC", "NHS England"),
            source=LMCS_URGE_GPC,
            sample=True,
        )
    ]


def _cite(source: Source) -> str:
    """A measurement or milestone names its source; the seeds kept no addresses."""
    return source.label()


def sample_campaigns() -> list[Campaign]:
    return [
        Campaign(
            name="GP recruitment campaign (HEE, 2015)",
            kind="recruitment",
            lead="Health Education England",
            backers=("RCGP", "BMA", "NHS England", "Jeremy Hunt, Health Secretary"),
            status="active",
            started=date(2015, 9, 24),
            channels=(
                "social media",
                "digital platforms",
                "video",
                "posters",
                "other marketing materials",
                "GP ambassadors",
            ),
            audience="Junior doctors and medical students choosing a specialty",
            summary=(
                "Urges junior doctors to train as GPs, with a team of qualified GPs as "
                "ambassadors to 'spread the word'; clinical lead Prof Simon Gregory (HEE)."
            ),
            milestones=(
                Milestone(
                    date(2015, 9, 24),
                    "Launched by HEE, backed by the RCGP, BMA and NHS England; the Health "
                    "Secretary backs it",
                    source_title=_cite(HUNT_BACKS_CAMPAIGN),
                ),
                Milestone(
                    date(2017, 11, 27),
                    "HEE calls its general practice marketing campaign 'now in its third year' "
                    "as a record 3,157 doctors start GP training",
                    source_title=_cite(HEE_RECORD_INTAKE),
                ),
            ),
            notes=(
                "Started is the date the article reported the new campaign; its launch day is "
                "not given. Status as last reported (November 2017). The article sets no "
                "numeric target, so no goal is recorded; the GP training intake it was meant "
                "to raise (3,019 in 2016, 3,157 in 2017) is under Workforce figures."
            ),
            source=HUNT_BACKS_CAMPAIGN,
            sample=True,
        ),
        Campaign(
            name="RCGP petition: guarantee GP trainees' pay and conditions",
            kind="petition",
            lead="RCGP",
            status="active",
            started=date(2015, 9, 22),
            channels=("petition", "letter to the Health Secretary"),
            audience="Jeremy Hunt, Health Secretary",
            summary=(
                "Asks Jeremy Hunt for a 'cast-iron guarantee' that imposing the new junior "
                "doctor contract will not affect GP trainees' pay and conditions, including "
                "the GP trainee supplement."
            ),
            milestones=(
                Milestone(
                    date(2015, 9, 22),
                    "RCGP launches the petition",
                    source_title=_cite(HUNT_BACKS_CAMPAIGN),
                ),
                Milestone(
                    date(2015, 9, 24),
                    "Reported: RCGP chair Dr Maureen Baker has written to Mr Hunt that imposing "
                    "the contract would make the target of 5,000 more GPs by 2020 impossible; "
                    "DH says Mr Hunt has told the RCGP by letter that GP trainees will not be "
                    "worse off",
                    source_title=_cite(HUNT_BACKS_CAMPAIGN),
                ),
            ),
            notes=(
                "Started is two days before the article of 24 September 2015, as it says. "
                "Status as last reported there; the outcome, the end date and any signature "
                "count are not in the seed articles. The dates of both letters are not given: "
                "the milestone carries the article's date."
            ),
            source=HUNT_BACKS_CAMPAIGN,
            sample=True,
        ),
        Campaign(
            name="Support Your Surgery",
            kind="public campaign",
            lead="BMA",
            status="active",
            audience="The public: patients of GP practices",
            summary=(
                "Rallies public support for GP practices amid rising abuse, explains the "
                "pressures on general practice and why patients have found it hard to see "
                "their GP face to face, and calls for more Government investment."
            ),
            milestones=(
                Milestone(
                    date(2021, 9, 2),
                    "Pulse reports the BMA 'recently launched' the campaign",
                    source_title=_cite(LMCS_URGE_GPC),
                ),
            ),
            notes=(
                "Launched shortly before 2 September 2021; the exact date and the channels "
                "used are not reported. Status as last reported."
            ),
            source=LMCS_URGE_GPC,
            sample=True,
        ),
        Campaign(
            name="5,000 more GPs by 2020",
            kind="recruitment",
            lead="Department of Health",
            backers=("Jeremy Hunt, Health Secretary",),
            status="ended",
            ends=date(2020, 12, 31),
            summary=(
                "The Government's target, under the New Deal for GPs, of 5,000 more doctors "
                "in general practice by 2020."
            ),
            goals=(
                Goal(
                    metric="Additional doctors in general practice",
                    unit="doctors",
                    baseline=0,
                    baseline_date=date(2015, 9, 24),
                    target=5000,
                    target_date=date(2020, 12, 31),
                    key="more-gps",
                    notes=(
                        "The article gives no headcount or FTE to count from, so the goal "
                        "counts the increase: 0 at the baseline by definition, dated when DH "
                        "restated the target. 'By 2020' is read as by the end of 2020. No "
                        "measured value is in the seed articles: record one with its source."
                    ),
                ),
            ),
            milestones=(
                Milestone(
                    date(2015, 9, 24),
                    "DH restates that the New Deal for GPs will see 5,000 more doctors in "
                    "general practice by 2020; the RCGP warns an imposed junior doctor "
                    "contract would make it impossible",
                    source_title=_cite(HUNT_BACKS_CAMPAIGN),
                ),
                Milestone(
                    date(2018, 4, 4),
                    "Reported: recent statistics showed full-time GP numbers had declined "
                    "despite Government efforts to boost the workforce (no figure given)",
                    source_title=_cite(PORTFOLIO_CAREERS),
                ),
            ),
            notes=(
                "When the target was first set is not in the seed articles. Status 'ended' "
                "because its date has passed; whether it was met is not reported there."
            ),
            source=HUNT_BACKS_CAMPAIGN,
            sample=True,
        ),
    ]


HEE_SIX_LISTED = (
    "Ring-fence funding for doctors to access activities and resources supporting their return",
    "Coordinate and centralise a defined process for exit, time out and re-entry to training",
    "Commission training and resources for Educational Supervisors to support returners",
    "Collaborate internally and with the wider system on interdependencies; raise the profile "
    "of returners' voices",
    "Investigate a 'menu' of bespoke return-to-training approaches",
    "Capture data on returners to provide individualised support",
)


def sample_pledges() -> list[Pledge]:
    return [
        Pledge(
            organisation="Health Education England",
            title="Return to training scheme",
            amount_gbp=10_000_000,
            recurrent=True,
            funded_from=date(2017, 4, 1),
            status="funded",
            commitments=tuple(Commitment(text) for text in HEE_SIX_LISTED),
            commitments_announced=10,
            summary=(
                "DH committed recurrent annual funding of £10m for HEE to deliver the scheme "
                "from April 2017. HEE announced 10 commitments; the article lists 6."
            ),
            notes=(
                "The other 4 commitments are counted in the total but not named, as the "
                "article does not give them. 'From April 2017' is recorded as 1 April 2017. "
                "The article's date is not in the seed copy, so no announced date. Delivery "
                "of each commitment is not reported: all are 'unknown'."
            ),
            source=HEE_RETURN_TO_TRAINING,
            sample=True,
        ),
        Pledge(
            organisation="NHS England",
            title="GP Career Plus retention pilot",
            amount_gbp=1_000_000,
            status="delivering",
            commitments=(
                Commitment("Run a 12-month pilot in 10 areas (Somerset among them)", "in progress"),
                Commitment("Recruit up to 80 experienced GPs aged 55-59 at risk of leaving"),
                Commitment(
                    "Employ participants for two LMC-organised educational sessions a month, "
                    "with peer support"
                ),
                Commitment("Evaluate after six months to define a model for further local use"),
            ),
            summary=(
                "A retention pilot for GPs aged 55 to 59, worked up with the RCGP, BMA and "
                "HEE; participants cover vacancies and leave, take on specific work and "
                "provide leadership and mentoring."
            ),
            notes=(
                "The article calls it both a £100,000 pilot and a £1m scheme and does not "
                "reconcile them; the larger figure is recorded. Start date, announcement "
                "date and how many GPs joined are not reported. 'In progress' because the "
                "article (April 2018) reports areas taking part."
            ),
            source=PORTFOLIO_CAREERS,
            sample=True,
        ),
        Pledge(
            organisation="NHS England (GP Forward View)",
            title="NHS GP Health Service",
            amount_gbp=19_500_000,
            funded_from=date(2017, 1, 1),
            status="funded",
            commitments=(
                Commitment("Confidential national self-referral phone line, website and app"),
                Commitment(
                    "Open to all GPs in England: trainees, sessional and out-of-hours GPs and "
                    "principals"
                ),
                Commitment(
                    "Psychological and addiction support, from prevention to treatment (not "
                    "long-term one-to-one psychotherapy), with signposting to further help"
                ),
                Commitment(
                    "Award the service to a lead provider: the Hurley Group, with Dr Clare "
                    "Gerada at the helm",
                    "delivered",
                ),
            ),
            summary=(
                "A free, confidential service for GPs with burnout, psychological or "
                "addiction problems, from the General Practice Forward View."
            ),
            notes=(
                "Written before the January 2017 start, so status and commitments are as of "
                "then: the contract had been awarded. 'From January 2017' is recorded as 1 "
                "January 2017. Whether £19.5m is one-off or spread over years is not said."
            ),
            source=GP_HEALTH_SERVICE,
            sample=True,
        ),
    ]


def sample_figures() -> list[Figure]:
    return [
        Figure(
            metric="trainee_intake",
            period="2016",
            value=3019,
            unit="doctors starting GP training",
            source=HEE_RECORD_INTAKE,
            notes="implied: 2017's 3,157 beat it by 138",
            sample=True,
        ),
        Figure(
            metric="trainee_intake",
            period="2017",
            value=3157,
            unit="doctors starting GP training",
            source=HEE_RECORD_INTAKE,
            notes="a record at the time",
            sample=True,
        ),
        Figure(
            metric="unfilled_trainee_places",
            period="2015",
            value=600,
            unit="vacancies",
            source=HUNT_BACKS_CAMPAIGN,
            notes="as stated by Dr Krishna Kasaraneni, BMA",
            sample=True,
        ),
    ]


def sample_targets() -> list[Target]:
    """The Government's 5,000 more GPs by 2020, against the bundled headcount series.

    The seed article gives the promise but no baseline, so the earliest bundled
    England figure (2016/17) stands in, and the note says so; the user can
    correct both with ``gpwatch workforce target``.
    """
    from adapters.workforce.bundled import bundled_figures

    baseline = next(
        f for f in bundled_figures() if f.metric == "gp_fq_perm_hc" and f.period == "2016/17"
    )
    return [
        Target(
            name="5,000 more GPs by 2020",
            metric="gp_fq_perm_hc",
            baseline_value=baseline.value,
            baseline_period=baseline.period,
            target_value=baseline.value + 5000,
            deadline="2020-12",
            source=HUNT_BACKS_CAMPAIGN,
            notes=(
                "DH (2015): the New Deal for GPs 'will see 5,000 more doctors in general "
                "practice by 2020'. The article gives no baseline: the bundled 2016/17 "
                "England figure (a sum of practice headcounts of fully qualified permanent "
                "GPs) is used, and 'by 2020' is read as by December 2020. Edit both if you "
                "have the original baseline."
            ),
            sample=True,
        )
    ]
