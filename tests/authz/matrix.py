"""Who may do what to each kind of record: the one table the authorisation tests come from.

Every row is a variant of the record (its visibility, or for records with their own party
rules the state that matters) and every column a role, always relative to the record:

- anonymous      a visitor who is not logged in
- owner          an admin of the organisation that owns the record
- colleague      a plain member (not an admin) of the owning organisation
- cluster_peer   an admin of another organisation of the owning cluster (CLEAN)
- other_member   an admin of an organisation of another cluster (Nordic Edge)
- cluster_manager  a manager of the owning cluster (CLEAN)
- other_manager  a manager of another cluster (Nordic Edge)
- partner        an admin of a partner organisation of the network (C40 Cities)
- secretariat    the network's secretariat

A cell lists what the role may do, one letter an ability (`-` for nothing):

- r  read: see the record (a page or API read answers; otherwise it is a 404, as if absent)
- w  write: change it, delete it, run its steps
- d  delete, where deleting is kept apart from changing (partnerships)
- f  give feedback on a match (its two sides only)
- a  act as the applicant of a passport (edit the draft, submit, withdraw)
- h  act as a passport's home cluster (endorse or return it)
- o  act as a passport's host cluster (accept, decline, suggestions)
- e  work in an application's workspace (sections, tasks, documents)
- m  run an application (its status, its description, its consortium)

One ability is derived, not written in the cells:

- p  take part (follow, comment, say one is interested, register): whoever reads the record
     and is logged in
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "owner",
    "colleague",
    "cluster_peer",
    "other_member",
    "cluster_manager",
    "other_manager",
    "partner",
    "secretariat",
)

Grid = dict[str, dict[str, str]]


def grid(text: str) -> Grid:
    """A table of cells, one row a variant, one column a role in the order of `ROLES`."""
    rows: Grid = {}
    for line in text.strip().splitlines():
        variant, *cells = line.split()
        if len(cells) != len(ROLES):
            raise ValueError(f"Row {variant!r} has {len(cells)} cells for {len(ROLES)} roles.")
        cells = ["" if cell == "-" else cell for cell in cells]
        rows[variant] = dict(zip(ROLES, cells, strict=True))
    return rows


# The rule of every shareable record (organisations, people, opportunities, events, library
# documents). Reads: public is everyone's; network is everyone logged in who acts for the
# network (members anywhere, partners, managers, the secretariat); cluster is the owning
# cluster's organisations and managers; private is the owning organisation's people. The
# secretariat reads everything. Writes: the owning organisation's admins, the owning cluster's
# managers unless the record is private, and the secretariat.
#
#              anonymous owner colleague peer other_member manager other_manager partner secretariat
SHARED = grid("""
    public       r       rw    r         r    r            rw      r             r       rw
    network      -       rw    r         r    r            rw      r             r       rw
    cluster      -       rw    r         r    -            rw      -             -       rw
    private      -       rw    r         -    -            -       -             -       rw
""")

# Solutions are kept by their organisation: any of its people changes them, not only admins.
SOLUTION = grid("""
    public       r       rw    rw        r    r            rw      r             r       rw
    network      -       rw    rw        r    r            rw      r             r       rw
    cluster      -       rw    rw        r    -            rw      -             -       rw
    private      -       rw    rw        -    -            -       -             -       rw
""")

# A collection belongs to its cluster, not to an organisation, and is never private: the
# owning organisation's people are simply people of the cluster. Its cluster's managers and
# the secretariat curate it.
COLLECTION = grid("""
    public       r       r     r         r    r            rw      r             r       rw
    network      -       r     r         r    r            rw      r             r       rw
    cluster      -       r     r         r    -            rw      -             -       rw
""")

# A partnership is the network's agreement with a partner organisation (the owner here). It
# is read like every shareable record and changed by the same people; only the secretariat,
# which makes the agreements, deletes one.
PARTNERSHIP = grid("""
    public       r       rw    r         r    r            rw      r             r       rwd
    network      -       rw    r         r    r            rw      r             r       rwd
    cluster      -       rw    r         r    -            rw      -             -       rwd
    private      -       rw    r         -    -            -       -             -       rwd
""")

# A match between one of CLEAN's organisations (the owner's) and a Nordic Edge company is
# seen and moved on by the people of its two sides, the managers of the sides' clusters and
# the secretariat, whatever the organisations' visibility; feedback comes from the sides'
# people. The Nordic Edge side is not other_member's organisation.
MATCH = grid("""
    public       -       rwf   rwf       -    -            rw      rw            -       rw
    network      -       rwf   rwf       -    -            rw      rw            -       rw
    cluster      -       rwf   rwf       -    -            rw      rw            -       rw
    private      -       rwf   rwf       -    -            rw      rw            -       rw
""")

# A passport of one of CLEAN's organisations (home: CLEAN) to visit Nordic Edge (host). The
# applicant's people see and edit it; both clusters' managers see it once it is submitted,
# the home cluster's managers endorse or return it, the host cluster's managers answer it.
# The secretariat sees every passport and stands in only for a cluster without managers
# (both have one here). The organisation's visibility does not matter.
PASSPORT_DRAFT = grid("""
    public       -       ra    ra        -    -            -       -             -       r
    network      -       ra    ra        -    -            -       -             -       r
    cluster      -       ra    ra        -    -            -       -             -       r
    private      -       ra    ra        -    -            -       -             -       r
""")
PASSPORT_SUBMITTED = grid("""
    public       -       ra    ra        -    -            rh      ro            -       r
    network      -       ra    ra        -    -            rh      ro            -       r
    cluster      -       ra    ra        -    -            rh      ro            -       r
    private      -       ra    ra        -    -            rh      ro            -       r
""")

# An application led by one of CLEAN's organisations (the owner's) with Nordic Edge's private
# company (other_member's) asked in as a partner. The people of the lead and of the partners
# and the managers of their clusters see it; the lead's people, the lead's cluster managers,
# the partners' people and the secretariat work in it; only the lead's side (its people and
# cluster managers) and the secretariat run it.
APPLICATION = grid("""
    public       -       rem   rem       -    re           rem     r             -       rem
    network      -       rem   rem       -    re           rem     r             -       rem
    cluster      -       rem   rem       -    re           rem     r             -       rem
    private      -       rem   rem       -    re           rem     r             -       rem
""")

# Clusters: members of the network are public; an applicant is seen by its own managers and
# the secretariat. A cluster's managers and the secretariat change it. (The owner and the
# colleague are people of one of CLEAN's organisations.)
CLUSTER = grid("""
    member       r       r     r         r    r            rw      r             r       rw
    applicant    -       -     -         -    -            rw      -             -       rw
""")

# A cluster's application to join the network is the secretariat's to read and decide.
CLUSTER_APPLICATION = grid("""
    submitted    -       -     -         -    -            -       -             -       rw
""")

# A personal API token is its user's alone (the owner's here): nobody else sees or revokes it.
TOKEN = grid("""
    own          -       rw    -         -    -            -       -             -       -
""")

# Desks a cluster (CLEAN) offers visitors: everyone of the network sees the offers; the
# cluster's managers and the secretariat change them.
DESK_OFFER = grid("""
    current      -       r     r         r    r            rw      r             r       rw
""")

RULES: dict[str, Grid] = {
    "organisation": SHARED,
    "membership": SHARED,
    "person": SHARED,
    "opportunity": SHARED,
    "solution": SOLUTION,
    "event": SHARED,
    "document": SHARED,
    "collection": COLLECTION,
    "partnership": PARTNERSHIP,
    "match": MATCH,
    "passport_draft": PASSPORT_DRAFT,
    "passport_submitted": PASSPORT_SUBMITTED,
    "application": APPLICATION,
    "cluster": CLUSTER,
    "cluster_application": CLUSTER_APPLICATION,
    "token": TOKEN,
    "desk_offer": DESK_OFFER,
}


def may(kind: str, variant: str, role: str, ability: str) -> bool:
    """Whether the table lets `role` do `ability` to the `variant` of a `kind` of record."""
    cell = RULES[kind][variant][role]
    if ability == "p":
        return "r" in cell and role != "anonymous"
    return ability in cell


def variants(kind: str) -> list[str]:
    return list(RULES[kind])
