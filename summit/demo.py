"""The Diablo Design Summit demo (seed 003): Santa Clara, April 2011.

Deterministic: a fixed random seed, so the same data every time. Demo accounts share
one password and one hash (hashing 300 passwords with scrypt would take a while).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    ClaimStatus,
    Day,
    DesignSession,
    Event,
    EventKind,
    Interest,
    LightningSlot,
    LightningTalk,
    PriorityClass,
    ProgramItem,
    Registration,
    RegistrationStatus,
    Room,
    SeatPolicy,
    SocialEvent,
    Summit,
    Track,
    User,
    WindowPart,
)
from summit.services.summits import slugify, sync_lightning_slots

DEMO_ORGANIZER_EMAIL = "organizer@diablo.example.org"
DEMO_PASSWORD = "diablo-summit"  # noqa: S105 - published demo credential
DEMO_USER_COUNT = 300

TRACKS = [  # name, colour, description
    ("Nova", "#c0392b", "OpenStack Compute"),
    ("Swift", "#1f6fb2", "OpenStack Object Storage"),
    ("Glance", "#1e8449", "OpenStack Image Service"),
    ("Keystone", "#7d3c98", "Identity"),
    ("Horizon", "#d68910", "The dashboard"),
    ("Quantum", "#117a65", "Network connectivity as a service"),
    ("Release management", "#2c3e50", "How Diablo gets released"),
    ("Cross-project", "#935116", "Topics that span projects"),
]

ROOMS = [  # six fishbowl rooms of 30 to 160 seats
    ("Ballroom A", 160),
    ("Ballroom B", 120),
    ("Bayshore", 80),
    ("Stevens Creek", 60),
    ("Mission", 45),
    ("Winchester", 30),
]

# Blueprints named after those the seeds link to, plus the topics of their other tracks.
SEED_BLUEPRINTS = {
    "Nova": """admin-account-actions aws-api-validation
        bandwidth-rate-limit-multipliers-and-base-limits bexar-nova-containers
        boot-from-volume cactus-flatmanager-ipv6-support cactus-migration-live
        clone-volume compute-network-info configuration-drive
        configure-instance-types-dynamically diablo-testing
        distributed-scheduler ec2-id-compatibilty engineer-in-quality
        finalize-nova-auth hypervisor-vmware-vsphere-support
        implement-network-api implement-volume-api instance-migration
        instance-transport integrate-block-storage integrate-network-services
        integrate-nova-authn internal-uuids kvm-report-capabilities lasterror
        libvirt-refactoring multi-cluster-in-a-region multi-nic
        multi-tenant-accounting multinic-libvirt network-info-model
        network-refactoring no-db-messaging nova-api-serialization
        nova-instance-referencing nova-multi-nic nova-rootwrap
        nova-vm-state-management nova-volume-snapshot-backup-api
        openstack-api-1-1 openstack-api-floating-ips
        openstack-compute-api-11-finalization reasonable-aws-compatibility
        reference-architectures remove-virt-driver-callbacks
        separate-code-for-services separate-nova-metadata shared-ip-groups
        snapshot-volume support-hp-san testing-jenkins-integration
        unified-images xenapi-basic-network-injection xenapi-ha-nova-network
        xenapi-vlan-network-manager xs-fileinject xs-inject-networking xs-ipv6
        xs-migration xs-rescue xs-resize""",
    "Swift": """cactus-asynchronous-proxy cactus-improved-sqlite3-indexing
        large-object-support swauth-integration s3-api-compatibility
        static-web-serving container-sync object-expiration
        replication-performance ring-builder-improvements""",
    "Glance": """cli-tool custom-disk-buffer image-checksumming logging
        middleware-authentication non-static-versioning paste-deploy
        registry-db-migration support-ssl use-config-parser use-optparse
        image-sharing swift-backend-improvements""",
    "Keystone": """global-templates keystone-swift-acls keystone-nova-integration
        ldap-backend token-expiration role-based-access-control service-catalog""",
    "Horizon": """cert-download environment-versioning migrate-to-bootstrap quantum-panel
        i18n django-openstack-merge usage-reporting""",
    "Quantum": """quantum-nat-parity quantum-api-v1 plugin-framework openvswitch-plugin
        cisco-nexus-plugin melange-ipam donabe-containers
        nova-quantum-integration""",
    "Release management": """diablo-release-schedule milestone-process feature-freeze-exceptions
        stable-branch-maintenance versioning-scheme""",
    "Cross-project": """openstack-common unified-cli api-versioning-guidelines
        ci-gating-with-jenkins documentation-process translation-infrastructure""",
}

FIRST_NAMES = [
    "Thierry",
    "Vish",
    "Jay",
    "Soren",
    "Rick",
    "Ewan",
    "Josh",
    "Devin",
    "Jesse",
    "Monty",
    "Anne",
    "Brian",
    "Chuck",
    "Dan",
    "Ed",
    "Eric",
    "Gabe",
    "Ilya",
    "Jason",
    "Joe",
    "John",
    "Ken",
    "Lorin",
    "Mark",
    "Matt",
    "Paul",
    "Rainya",
    "Salvatore",
    "Sandy",
    "Todd",
    "Yuriy",
    "Zhongyue",
    "Andy",
    "Armando",
    "Chmouel",
    "Dean",
    "Everett",
    "Greg",
    "Hisaharu",
    "Jordan",
    "Kiall",
    "Mike",
    "Nati",
    "Pete",
    "Russell",
    "Sumit",
    "Trey",
    "Vladimir",
    "William",
    "Aaron",
    "Clay",
    "Dolph",
    "Gary",
    "Heidi",
    "Julien",
    "Kyle",
    "Lynn",
    "Michael",
    "Nachi",
    "Rosa",
    "Sean",
    "Tres",
]
LAST_NAMES = [
    "Carrez",
    "Ishaya",
    "Pipes",
    "Hansen",
    "Harding",
    "Mellor",
    "Kearney",
    "Carlen",
    "Andrews",
    "Taylor",
    "Gentle",
    "Waldon",
    "Lamb",
    "Prince",
    "Leafe",
    "Day",
    "Hurd",
    "Moskowitz",
    "Kolodyazhny",
    "Gordon",
    "Dague",
    "Hochstein",
    "Bryant",
    "Mestery",
    "Orlando",
    "Dickinson",
    "Thompson",
    "Sarhan",
    "Ueno",
    "Rosen",
    "Smith",
    "Pojer",
    "Lazarev",
    "Williams",
    "Collins",
    "Dolan",
    "Li",
    "Young",
    "Hakim",
    "Dias",
    "Moore",
    "Nowak",
    "Sato",
    "Fischer",
    "Rossi",
    "Martin",
    "Dubois",
    "Silva",
    "Kim",
    "Novak",
    "Weber",
]
AFFILIATIONS = [
    "Rackspace",
    "NASA",
    "Citrix",
    "Cisco",
    "Nicira",
    "Cloudscaling",
    "Canonical",
    "Dell",
    "Intel",
    "NTT",
    "Grid-Dynamics",
    "Piston",
    "HP",
    "Internap",
    "Midokura",
]
CLAIM_PROJECTS = ["Nova", "Swift", "Glance", "Keystone", "Horizon", "Quantum"]

TZ = "America/Los_Angeles"


def _title(slug: str) -> str:
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _summit(name: str, slug: str, venue: str, zone: str, *, current: bool) -> Summit:
    summit = Summit(name=name, slug=slug, venue=venue, timezone=zone, is_current=current)
    db.session.add(summit)
    return summit


def _event(
    summit: Summit,
    kind: EventKind,
    first: date,
    last: date,
    capacity: int,
    open_seats: int,
    policy: SeatPolicy,
) -> Event:
    event = Event(
        summit=summit,
        kind=kind,
        starts_on=first,
        ends_on=last,
        capacity=capacity,
        open_seats=open_seats,
        confirmed_count=0,
        policy=policy,
    )
    db.session.add(event)
    return event


def _local(summit: Summit, day: int, hour: int, minute: int = 0) -> datetime:
    return summit.to_utc(date(2011, 4, day), time(hour, minute))


# Demo attendees confirmed their addresses long ago (A2), on a fixed date: the demo is
# the same every time.
DEMO_VERIFIED_AT = datetime(2011, 3, 1, 12, 0, tzinfo=UTC)


def _users(rng: random.Random, password_hash: str) -> list[User]:
    organizer = User(
        email=DEMO_ORGANIZER_EMAIL,
        name="Thierry Carrez (demo organizer)",
        affiliation="OpenStack",
        projects="Release management",
        password_hash=password_hash,
        is_organizer=True,
        claim=PriorityClass.CORE,
        claim_project="Nova",
        claim_status=ClaimStatus.VERIFIED,
        verified_class=PriorityClass.CORE,
        email_verified_at=DEMO_VERIFIED_AT,
    )
    users = [organizer]
    seen = {organizer.email}
    while len(users) < DEMO_USER_COUNT:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}@example.org".lower()
        if email in seen:
            continue
        seen.add(email)
        n = len(users)
        projects = rng.sample(CLAIM_PROJECTS, k=rng.randint(0, 3))
        user = User(
            email=email,
            name=f"{first} {last}",
            affiliation=rng.choice(AFFILIATIONS),
            projects=", ".join(projects),
            password_hash=password_hash,
            claim=PriorityClass.OTHER,
            claim_status=ClaimStatus.NONE,
            verified_class=PriorityClass.OTHER,
            email_verified_at=DEMO_VERIFIED_AT,
        )
        # A realistic mix: verified core developers and well-known contributors,
        # claims still waiting for an organizer, a few rejected, and everyone else.
        if n <= 36:
            _set_claim(user, PriorityClass.CORE, CLAIM_PROJECTS[n % 6], ClaimStatus.VERIFIED)
        elif n <= 80:
            _set_claim(user, PriorityClass.KNOWN, "", ClaimStatus.VERIFIED)
        elif n <= 92:
            kind = PriorityClass.CORE if n % 2 else PriorityClass.KNOWN
            _set_claim(user, kind, CLAIM_PROJECTS[n % 6], ClaimStatus.PENDING)
        elif n <= 96:
            _set_claim(user, PriorityClass.CORE, CLAIM_PROJECTS[n % 6], ClaimStatus.REJECTED)
        users.append(user)
    db.session.add_all(users)
    return users


def _set_claim(user: User, claim: PriorityClass, project: str, status: ClaimStatus) -> None:
    user.claim, user.claim_project, user.claim_status = claim, project, status
    user.claim_note = f"See my reviews on {project or 'several projects'}."
    if status == ClaimStatus.VERIFIED:
        user.verified_class = claim
        user.verified_at = datetime(2011, 4, 1, 12, 0, tzinfo=UTC)


def _diablo(rng: random.Random, users: list[User]) -> Summit:
    summit = _summit(
        "Diablo Design Summit", "diablo", "Hyatt Regency, Santa Clara, California", TZ, current=True
    )
    summit.description = (
        "The OpenStack Conference (Tue–Wed) and the Diablo Design Summit (Wed–Fri), "
        "co-hosted in Santa Clara. Developers submit blueprints; they become fishbowl "
        "sessions. Lightning talks after lunch, booked on the whiteboard."
    )
    # The call for sessions stays open in the demo, so a newcomer can try submitting.
    summit.cfp_closes_at = None
    _event(
        summit,
        EventKind.CONFERENCE,
        date(2011, 4, 26),
        date(2011, 4, 27),
        1000,
        1000,
        SeatPolicy.AUTO,
    )
    design = _event(
        summit,
        EventKind.DESIGN_SUMMIT,
        date(2011, 4, 27),
        date(2011, 4, 29),
        250,
        200,
        SeatPolicy.REVIEW,
    )
    days = [
        Day(
            event=design,
            date=date(2011, 4, d),
            first_slot=time(9, 0),
            slot_minutes=40,
            break_minutes=10,
            slots_before_lunch=4,
            lunch_minutes=60,
            lightning_minutes=30,
            lightning_slot_minutes=5,
            slots_after_lunch=4,
        )
        for d in (27, 28, 29)
    ]
    db.session.add_all(days)
    for name, capacity in ROOMS:
        db.session.add(Room(summit=summit, name=name, slug=slugify(name), capacity=capacity))
    tracks = {}
    for name, colour, description in TRACKS:
        tracks[name] = Track(
            summit=summit, name=name, slug=slugify(name), colour=colour, description=description
        )
    tracks["Release management"].window_day = days[0]
    tracks["Release management"].window_part = WindowPart.MORNING
    db.session.add_all(tracks.values())
    program = [
        ("Keynotes", "keynote", "", 26, (9, 0), (12, 0), "Main hall"),
        ("Technical track", "talk", "Technical", 26, (13, 30), (17, 30), "Ballroom A"),
        ("Community track", "talk", "Community", 26, (13, 30), (17, 30), "Ballroom B"),
        ("User track", "talk", "Users", 27, (9, 0), (12, 0), "Main hall"),
        (
            "Service provider track",
            "talk",
            "Service providers",
            27,
            (13, 30),
            (17, 30),
            "Main hall",
        ),
    ]
    for title, kind, track_name, day_of_april, start, end, place in program:
        db.session.add(
            ProgramItem(
                summit=summit,
                title=title,
                kind=kind,
                track_name=track_name,
                place=place,
                starts_at=_local(summit, day_of_april, *start),
                ends_at=_local(summit, day_of_april, *end),
            )
        )
    socials = [
        ("Conference reception", 26, (18, 0), (21, 0), "Hyatt Regency terrace", "Cisco"),
        ("OpenStack Developer Gathering", 27, (18, 30), (21, 30), "Developer lounge", "Nicira"),
        ("Developer party", 28, (19, 0), (23, 0), "Santa Clara, offsite", "Cloudscaling"),
    ]
    for title, day_of_april, start, end, place, sponsor in socials:
        db.session.add(
            SocialEvent(
                summit=summit,
                title=title,
                place=place,
                sponsor=sponsor,
                starts_at=_local(summit, day_of_april, *start),
                ends_at=_local(summit, day_of_april, *end),
            )
        )
    db.session.flush()
    for day in days:
        sync_lightning_slots(day)
    _blueprints(rng, summit, tracks, users)
    db.session.flush()
    _sessions_and_stars(rng, summit, users)
    _seats_and_lightning_talks(rng, design, days, users)
    return summit


LIGHTNING_TITLES = [
    "Running Swift on a Raspberry of servers",
    "Ten things we learned packaging Nova for Ubuntu",
    "Glance and the great image cache",
    "Why your CI should gate on pep8",
    "A five-minute tour of the Dashboard",
    "Keystone tokens, explained with cookies",
    "Benchmarking object stores on a laptop",
    "Bug triage: a day in the life",
    "Devstack in under five minutes",
    "Our first 100 compute nodes",
    "Launchpad tips nobody told you",
    "IPv6 in Nova, today",
]


def _seats_and_lightning_talks(
    rng: random.Random, design: Event, days: list[Day], users: list[User]
) -> None:
    """Some attendees hold confirmed Design Summit seats, and some of them booked lightning
    talks: most slots are taken, a few are still free, one is kept free by the organizers."""
    attendees = users[1:121]
    for user in attendees:
        db.session.add(
            Registration(
                event_id=design.id,
                user_id=user.id,
                status=RegistrationStatus.CONFIRMED,
                joined_at=datetime(2011, 3, 1, 12, 0, tzinfo=UTC),
                decided_at=datetime(2011, 3, 1, 12, 0, tzinfo=UTC),
            )
        )
    design.confirmed_count = len(attendees)
    titles = iter(rng.sample(LIGHTNING_TITLES, k=len(LIGHTNING_TITLES)))
    for number, day in enumerate(days):
        slots = db.session.scalars(
            select(LightningSlot)
            .where(LightningSlot.day_id == day.id)
            .order_by(LightningSlot.position)
        ).all()
        if number == len(days) - 1 and slots:
            slots[-1].blocked = True  # the organizers keep the closing slot for themselves
        taken = len(slots) * 2 // 3  # a few slots stay free for newcomers to try
        speakers = rng.sample(attendees, k=taken)
        for slot, speaker, title in zip(slots[:taken], speakers, titles, strict=False):
            db.session.add(LightningTalk(slot_id=slot.id, user_id=speaker.id, title=title))


def _sessions_and_stars(rng: random.Random, summit: Summit, users: list[User]) -> None:
    """Organizers' review done: most blueprints accepted, some merged, a few rejected;
    attendees starred what they want to see (a few sessions are very popular)."""
    sessions: list[DesignSession] = []
    by_track: dict[int, list[DesignSession]] = {}
    blueprints = db.session.scalars(
        select(Blueprint).where(Blueprint.summit_id == summit.id).order_by(Blueprint.id)
    )
    for blueprint in blueprints:
        roll = rng.random()
        same_track = by_track.get(blueprint.track_id, [])
        if roll < 0.15 and same_track:
            blueprint.status, blueprint.session = BlueprintStatus.MERGED, rng.choice(same_track)
        elif roll < 0.20:
            blueprint.status = BlueprintStatus.REJECTED
            blueprint.reason = "Covered by another session, or out of scope for Diablo."
        elif roll < 0.92:
            session = DesignSession(
                summit_id=summit.id,
                track_id=blueprint.track_id,
                lead_id=blueprint.submitter_id,
                title=blueprint.title,
                description=blueprint.description,
                length_slots=blueprint.length_slots,
            )
            blueprint.status, blueprint.session = BlueprintStatus.ACCEPTED, session
            sessions.append(session)
            by_track.setdefault(blueprint.track_id, []).append(session)
        # else: still waiting for review
    db.session.add_all(sessions)
    db.session.flush()
    weights = [1 / (rank + 3) ** 0.7 for rank in range(len(sessions))]
    popularity = rng.sample(sessions, k=len(sessions))
    for user in users[1:]:
        picks = {s.id for s in rng.choices(popularity, weights=weights, k=rng.randint(2, 9))}
        db.session.add_all(Interest(user_id=user.id, session_id=i) for i in sorted(picks))


def _blueprints(
    rng: random.Random, summit: Summit, tracks: dict[str, Track], users: list[User]
) -> None:
    core_by_project: dict[str, list[User]] = {}
    for user in users:
        if user.verified_class == PriorityClass.CORE:
            core_by_project.setdefault(user.claim_project, []).append(user)
    others = users[1:]
    for track_name, slugs in SEED_BLUEPRINTS.items():
        for slug in slugs.split():
            project = track_name.lower() if track_name in CLAIM_PROJECTS else "openstack"
            leads = core_by_project.get(track_name) or others
            submitter = rng.choice(leads) if rng.random() < 0.7 else rng.choice(others)
            title = _title(slug)
            db.session.add(
                Blueprint(
                    summit_id=summit.id,
                    track=tracks[track_name],
                    submitter=submitter,
                    title=title,
                    description=(
                        f"{title} for the Diablo cycle.\n\n"
                        f"Design discussion for the {track_name} team: scope, API impact, "
                        "migration path and who does the work."
                    ),
                    url=f"https://blueprints.launchpad.net/{project}/+spec/{slug}",
                    length_slots=2 if rng.random() < 0.08 else 1,
                )
            )


def _bexar() -> None:
    """A past summit, so the list of summits shows one that stays readable."""
    summit = _summit(
        "Bexar Design Summit",
        "bexar",
        "Weston Centre, San Antonio, Texas",
        "America/Chicago",
        current=False,
    )
    _event(
        summit,
        EventKind.CONFERENCE,
        date(2010, 11, 9),
        date(2010, 11, 10),
        400,
        400,
        SeatPolicy.AUTO,
    )
    _event(
        summit,
        EventKind.DESIGN_SUMMIT,
        date(2010, 11, 10),
        date(2010, 11, 12),
        200,
        150,
        SeatPolicy.REVIEW,
    )
    for name, colour, description in TRACKS[:3]:
        db.session.add(
            Track(
                summit=summit, name=name, slug=slugify(name), colour=colour, description=description
            )
        )


def _solve_and_publish(summit: Summit, time_limit: float) -> None:
    """The organizers ran the solver and published: a newcomer sees a full schedule."""
    from scheduler import SolveOptions, Status, solve
    from summit.services import scheduling

    ctx = scheduling.load(summit.id)
    result = solve(scheduling.to_problem(ctx), SolveOptions(time_limit=time_limit, seed=2011))
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        raise RuntimeError("the demo summit has no schedule: " + " ".join(result.explanation))
    scheduling.record_result(None, summit.id, result)
    scheduling.publish(None, summit.id)


def load_demo(*, if_empty: bool = False, solve_seconds: float = 5.0) -> bool:
    """Load the demo summit; False when it (or, with if_empty, any summit) is there already.

    With solve_seconds > 0 the schedule is solved and published too (deterministic)."""
    existing = db.session.scalar(select(Summit.id).limit(1))
    if existing is not None and (
        if_empty or db.session.scalar(select(Summit.id).where(Summit.slug == "diablo"))
    ):
        return False
    rng = random.Random(2011)  # noqa: S311 - demo data, not security
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    users = _users(rng, password_hash)
    _bexar()
    diablo = _diablo(rng, users)
    db.session.flush()
    if solve_seconds > 0:
        _solve_and_publish(diablo, solve_seconds)
        db.session.flush()
    return True


def demo_attendee() -> str | None:
    """The e-mail of a demo attendee with a confirmed Design Summit seat, for the README."""
    return db.session.scalar(
        select(User.email)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.status == RegistrationStatus.CONFIRMED, User.is_organizer.is_(False))
        .order_by(Registration.id)
        .limit(1)
    )
