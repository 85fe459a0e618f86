"""The sample records a first run starts with, taken from the seed articles.

Every record here is something the articles report, with the article named as
its source, and is marked ``sample=True`` so ``gpwatch reset-sample`` can take
exactly these away. Where an article leaves a fact out (an exact date, the
other four of HEE's ten commitments) the record says so rather than guess.
"""

from __future__ import annotations

from datetime import date

from adapters.provenance import Source
from adapters.records.models import Campaign, Commitment, Letter, Pledge
from adapters.workforce.series import Figure

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
            sent=date(2021, 9, 2),
            summary=(
                "Nine LMC lead officers and medical directors ask GPC to end the "
                "'current impasse' with NHSEI, which they say compromises LMCs' core "
                "functions. Sent date is the day Pulse reported the letter; the letter's "
                "own date was not published. BMA would not comment on private correspondence."
            ),
            source=LMCS_URGE_GPC,
            sample=True,
        )
    ]


def sample_campaigns() -> list[Campaign]:
    return [
        Campaign(
            name="GP recruitment campaign (HEE, 2015)",
            kind="recruitment",
            lead="Health Education England",
            backers=("RCGP", "BMA", "NHS England", "Jeremy Hunt, Health Secretary"),
            status="active",
            started=date(2015, 9, 24),
            channels=("social media", "digital platforms", "video", "posters", "GP ambassadors"),
            summary=(
                "Urges junior doctors to train as GPs; clinical lead Prof Simon Gregory. "
                "HEE called it 'now in its third year' in November 2017: status as last reported."
            ),
            source=HUNT_BACKS_CAMPAIGN,
            sample=True,
        ),
        Campaign(
            name="RCGP petition: guarantee GP trainees' pay and conditions",
            kind="petition",
            lead="RCGP",
            status="ended",
            started=date(2015, 9, 22),
            channels=("petition", "letter to the Health Secretary"),
            summary=(
                "Asks Jeremy Hunt for a 'cast-iron guarantee' that the imposed junior doctor "
                "contract will not cut GP trainees' pay (the GP trainee supplement). DH replied "
                "by letter that GP trainees would not be worse off. End date not reported."
            ),
            source=HUNT_BACKS_CAMPAIGN,
            sample=True,
        ),
        Campaign(
            name="Support Your Surgery",
            kind="public campaign",
            lead="BMA",
            status="active",
            summary=(
                "Rallies public support for GP practices amid rising abuse, explains the "
                "pressures on general practice and calls for more Government investment. "
                "Launched shortly before 2 September 2021 (exact date not reported)."
            ),
            source=LMCS_URGE_GPC,
            sample=True,
        ),
    ]


def sample_pledges() -> list[Pledge]:
    return [
        Pledge(
            organisation="Health Education England",
            title="Return to training scheme",
            amount_gbp=10_000_000,
            recurrent=True,
            funded_from=date(2017, 4, 1),
            status="funded",
            commitments=tuple(
                Commitment(text)
                for text in (
                    "Ring-fence funding for doctors to access activities and resources "
                    "supporting their return",
                    "Coordinate and centralise a defined process for exit, time out and "
                    "re-entry to training",
                    "Commission training and resources for Educational Supervisors to support "
                    "returners",
                    "Collaborate internally and with the wider system on interdependencies; "
                    "raise the profile of returners' voices",
                    "Investigate a 'menu' of bespoke return-to-training approaches",
                    "Capture data on returners to provide individualised support",
                )
            ),
            summary=(
                "DH committed recurrent annual funding of £10m for HEE to deliver the scheme "
                "from April 2017. HEE announced 10 commitments; the article lists 6."
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
                Commitment("Run a 12-month pilot in 10 areas (Somerset among them)"),
                Commitment("Recruit up to 80 experienced GPs aged 55-59 at risk of leaving"),
                Commitment("Evaluate after six months to define a model for local use"),
            ),
            summary=(
                "Worked up with RCGP, BMA and HEE. The article calls it both a £100,000 pilot "
                "and a £1m scheme; the larger figure is recorded here."
            ),
            source=PORTFOLIO_CAREERS,
            sample=True,
        ),
        Pledge(
            organisation="NHS England (GP Forward View)",
            title="NHS GP Health Service",
            amount_gbp=19_500_000,
            funded_from=date(2017, 1, 1),
            status="delivering",
            commitments=(
                Commitment("Confidential national self-referral phone line, website and app"),
                Commitment("Open to all GPs in England, including trainees and locums"),
                Commitment("Psychological and addiction support, from prevention to treatment"),
            ),
            summary="Awarded to the Hurley Group as lead provider, with Dr Clare Gerada at the "
            "helm.",
            source=GP_HEALTH_SERVICE,
            sample=True,
        ),
    ]


def sample_figures() -> list[Figure]:
    return [
        Figure(
            metric="GP trainee intake",
            period="2016",
            value=3019,
            unit="doctors starting GP training",
            source=HEE_RECORD_INTAKE,
            notes="implied: 2017's 3,157 beat it by 138",
            sample=True,
        ),
        Figure(
            metric="GP trainee intake",
            period="2017",
            value=3157,
            unit="doctors starting GP training",
            source=HEE_RECORD_INTAKE,
            notes="a record at the time",
            sample=True,
        ),
        Figure(
            metric="Unfilled GP trainee places",
            period="2015",
            value=600,
            unit="vacancies",
            source=HUNT_BACKS_CAMPAIGN,
            notes="as stated by Dr Krishna Kasaraneni, BMA",
            sample=True,
        ),
    ]
