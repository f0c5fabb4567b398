"""The sample organisation :func:`wfbench.directory.seed_demo` puts in an empty directory.

240 people in five departments (``engineering``, ``sales``, ``finance``,
``it``, ``hr``), 36 of them contractors, each department led by a head with a
few managers under them; 15 groups, one per department plus ten others; 300
devices (a few unassigned); five applications with bindings. Everything comes
from ``random.Random(seed)`` and the fixed :data:`BASE_TIME`, so the same seed
always gives the same rows.

Two fixtures the sample workflows rely on: ``ada.lovelace@example.com`` is an
active engineering contractor with a manager, in five groups, with two
devices; ``grace.hopper@example.com`` does not exist (the onboarding sample
creates her).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import duckdb

from wfbench.directory.schema import DIRECTORY_TABLE_NAMES, create_directory, sync_id_sequences
from wfbench.errors import DirectoryMisuse
from wfbench.transactions import transaction as atomic

#: "Now" for the sample organisation; no wall clock is read.
BASE_TIME: Final = datetime(2026, 1, 5, 9, 0, 0)

#: People per department (240 in all).
DEPARTMENTS: Final[dict[str, int]] = {
    "engineering": 80,
    "sales": 60,
    "finance": 32,
    "it": 36,
    "hr": 32,
}
_CODES = {"engineering": "ENG", "sales": "SAL", "finance": "FIN", "it": "IT", "hr": "HR"}
CONTRACTORS: Final = 36
DEVICES: Final = 300
UNASSIGNED_DEVICES: Final = 6

#: The groups, in id order (``g_01`` … ``g_15``), with their descriptions.
GROUPS: Final[tuple[tuple[str, str], ...]] = (
    ("engineering", "Everyone in Engineering."),
    ("sales", "Everyone in Sales."),
    ("finance", "Everyone in Finance."),
    ("it", "Everyone in IT."),
    ("hr", "Everyone in Human Resources."),
    ("vpn-users", "May connect to the corporate VPN."),
    ("all-staff", "Every employee and contractor."),
    ("contractors", "External contractors; access is reviewed every quarter."),
    ("admins", "Directory and device administrators."),
    ("on-call", "Engineers on the production on-call rotation."),
    ("design-review", "Reviewers of design documents."),
    ("finance-approvers", "May approve purchase orders and expenses."),
    ("github-users", "Hold a seat in the GitHub organisation."),
    ("aws-users", "May sign in to the AWS console."),
    ("laptop-pilot", "Try the new laptop image before everyone else."),
)

#: The applications, in id order (``app_01`` …).
APPLICATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("Slack", "Team chat."),
    ("GitHub", "Source code hosting and reviews."),
    ("Google Workspace", "Mail, calendar and documents."),
    ("Zoom", "Video meetings."),
    ("AWS Console", "The Amazon Web Services console."),
)

# "Grace", "Hopper", "Ada" and "Lovelace" are left out: the fixtures are added by hand.
_FIRST_NAMES = (  # noqa: SIM905 (a list of words reads best as words)
    "Aaron Abigail Adrian Aisha Alan Alice Amara Amir Ana Andrea Arjun Astrid Ben Bianca "
    "Carla Carlos Chen Chloe Daniel Dara David Diego Elena Elif Emeka Emma Ethan Fatima "
    "Felix Freya Gabriel Hana Hassan Ines Isaac Ivan Jada James Javier Jin Joao Julia "
    "Kai Karen Kenji Lara Layla Leo Lina Lucas Maya Mei Mohamed Nadia Noah Nora Omar "
    "Priya Rafael Rosa Sam Sara Sofia Tariq Theo Uma Victor Wei Yara Yusuf Zoe"
).split()
_LAST_NAMES = (  # noqa: SIM905 (a list of words reads best as words)
    "Abbott Adeyemi Alvarez Andersen Bauer Bennett Brooks Castro Chowdhury Cohen Costa "
    "Dubois Duarte Eriksson Evans Fischer Fontaine Garcia Gupta Haddad Hansen Hughes Ito "
    "Jensen Kapoor Kaur Keller Khan Kim Kowalski Larsen Lee Lindqvist Lopez Martin "
    "Mendes Meyer Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Park Patel Perez "
    "Petrov Quinn Reyes Rossi Sato Schmidt Silva Singh Suzuki Tanaka Torres Varga Wagner "
    "Walsh Weber Wong Yamamoto Yilmaz Young Zhang"
).split()


@dataclass
class _Person:
    first: str
    last: str
    email: str
    department: str
    role: str = "staff"  # head, manager or staff
    employee_type: str = "employee"
    manager_email: str | None = None
    status: str = "active"
    mfa: bool = True
    created_at: datetime = BASE_TIME
    id: str = ""
    groups: list[str] = field(default_factory=list)


def seed_directory(con: duckdb.DuckDBPyConnection, *, seed: int = 7) -> dict[str, int]:
    """Create the tables if needed and fill them; see :func:`wfbench.directory.seed_demo`."""
    create_directory(con)
    existing = con.execute("SELECT count(*) FROM users").fetchone()
    if existing is not None and existing[0]:
        raise DirectoryMisuse(
            f"the directory already holds {existing[0]} users; the demo organisation is "
            "only seeded into an empty directory: use a fresh store (`wfbench --db NEW.duckdb "
            "init --demo`)"
        )
    rng = random.Random(seed)
    people = _people(rng)
    groups = _memberships(rng, people)
    devices = _devices(rng, people)
    bindings = _bindings(rng, people)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "users": [
            (
                p.id,
                p.email,
                p.first,
                p.last,
                p.department,
                p.employee_type,
                p.manager_email,
                p.status,
                p.mfa,
                p.created_at,
            )
            for p in people
        ],
        "groups": [(f"g_{i:02d}", name, text) for i, (name, text) in enumerate(GROUPS, 1)],
        "memberships": groups,
        "devices": devices,
        "applications": [
            (f"app_{i:02d}", name, text) for i, (name, text) in enumerate(APPLICATIONS, 1)
        ],
        "bindings": bindings,
    }
    with atomic(con):
        for table, values in rows.items():
            marks = ", ".join("?" * len(values[0]))
            con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
        sync_id_sequences(con, all_tables=True)  # new ids start after the seeded ones
    return {t: len(rows.get(t, ())) for t in DIRECTORY_TABLE_NAMES}


def _people(rng: random.Random) -> list[_Person]:
    """Everyone, with unique emails, a management line per department, ids in a shuffled order."""
    taken = {"ada.lovelace@example.com", "grace.hopper@example.com"}
    people: list[_Person] = []
    for department, size in DEPARTMENTS.items():
        for _ in range(size - (1 if department == "engineering" else 0)):
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            base = f"{first}.{last}".lower()
            email, n = f"{base}@example.com", 2
            while email in taken:
                email, n = f"{base}{n}@example.com", n + 1
            taken.add(email)
            people.append(_Person(first, last, email, department))
    ada = _Person("Ada", "Lovelace", "ada.lovelace@example.com", "engineering")
    people.insert(rng.randrange(len(people)), ada)

    for department in DEPARTMENTS:
        staff = [p for p in people if p.department == department and p is not ada]
        head, managers = staff[0], staff[1 : 1 + max(2, len(staff) // 12)]
        head.role = "head"
        for m in managers:
            m.role, m.manager_email = "manager", head.email
        for p in staff[1 + len(managers) :]:
            p.manager_email = rng.choice(managers).email
        if department == "engineering":
            ada.manager_email = managers[0].email

    plain = [p for p in people if p.role == "staff" and p is not ada]
    for p in rng.sample(plain, CONTRACTORS - 1):
        p.employee_type = "contractor"
    ada.employee_type = "contractor"
    for p in rng.sample(plain, 9):
        p.status = "suspended"
    ada.status = "active"
    for p in people:
        p.mfa = p is not ada and rng.random() < 0.88
        p.created_at = BASE_TIME - timedelta(
            days=rng.randint(30, 2400), hours=rng.randint(0, 8), minutes=rng.choice((0, 15, 30, 45))
        )
    rng.shuffle(people)
    for number, p in enumerate(people, 1):
        p.id = f"u_{number:04d}"
    return people


def _memberships(rng: random.Random, people: list[_Person]) -> list[tuple[Any, ...]]:
    """Department group and all-staff for everyone, contractors, and extras by department."""
    ids = {name: f"g_{i:02d}" for i, (name, _) in enumerate(GROUPS, 1)}
    odds = {
        "engineering": {
            "github-users": 0.9,
            "aws-users": 0.5,
            "on-call": 0.2,
            "design-review": 0.15,
            "vpn-users": 0.7,
        },
        "it": {"admins": 0.4, "vpn-users": 0.8, "aws-users": 0.3, "laptop-pilot": 0.3},
        "finance": {"finance-approvers": 0.25, "vpn-users": 0.3},
        "sales": {"vpn-users": 0.4, "laptop-pilot": 0.05},
        "hr": {"vpn-users": 0.3, "design-review": 0.05},
    }
    rows: list[tuple[Any, ...]] = []
    for p in people:
        names = [p.department, "all-staff"]
        if p.employee_type == "contractor":
            names.append("contractors")
        if p.email == "ada.lovelace@example.com":
            names += ["github-users", "vpn-users"]
        else:
            names += [g for g, chance in odds[p.department].items() if rng.random() < chance]
            if p.department == "finance" and p.role != "staff":
                names.append("finance-approvers")
        for name in dict.fromkeys(names):
            added = p.created_at + timedelta(hours=1, days=rng.randint(0, 20))
            rows.append((ids[name], p.id, min(added, BASE_TIME)))
            p.groups.append(name)
    return rows


def _devices(rng: random.Random, people: list[_Person]) -> list[tuple[Any, ...]]:
    """One device per person, a second for some, a few unassigned; names like LT-ENG-0042."""
    ada = next(p for p in people if p.email == "ada.lovelace@example.com")
    others = [p for p in people if p is not ada and p.department in ("engineering", "it")]
    extra = DEVICES - UNASSIGNED_DEVICES - len(people) - 1
    owners: list[_Person | None] = [*people, ada, *rng.sample(others, extra)]
    owners += [None] * UNASSIGNED_DEVICES
    rng.shuffle(owners)
    os_odds = {
        "engineering": (("macos", 6), ("linux", 3), ("windows", 1)),
        "it": (("windows", 4), ("linux", 3), ("macos", 3)),
    }
    office = (("windows", 5), ("macos", 5))
    rows: list[tuple[Any, ...]] = []
    for number, owner in enumerate(owners, 1):
        choices = os_odds.get(owner.department, office) if owner else office
        os = rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        kind = "WS" if os == "linux" else "LT"
        code = _CODES[owner.department] if owner else "POOL"
        status = "active"
        last_seen: datetime | None = BASE_TIME - timedelta(minutes=rng.randint(5, 60 * 24 * 14))
        if owner is None:
            status = rng.choice(("active", "erased"))
            if rng.random() < 0.5:
                last_seen = None
        elif owner.status == "suspended":
            status = "locked"
        elif owner is not ada and rng.random() < 0.02:
            status = "locked"
        rows.append(
            (
                f"d_{number:04d}",
                f"{kind}-{code}-{number:04d}",
                os,
                owner.id if owner else None,
                status,
                last_seen,
            )
        )
    return rows


def _bindings(rng: random.Random, people: list[_Person]) -> list[tuple[Any, ...]]:
    """Slack and Google Workspace for active people, GitHub and AWS by group, Zoom for some."""
    ids = {name: f"app_{i:02d}" for i, (name, _) in enumerate(APPLICATIONS, 1)}
    rows: list[tuple[Any, ...]] = []
    for p in people:
        apps: list[str] = []
        if p.status == "active":
            apps += ["Slack", "Google Workspace"]
        if "github-users" in p.groups:
            apps.append("GitHub")
        if "aws-users" in p.groups:
            apps.append("AWS Console")
        if p.department in ("sales", "hr") or rng.random() < 0.2:
            apps.append("Zoom")
        for app in apps:
            rows.append((ids[app], p.id, p.created_at + timedelta(hours=2)))
    return rows
