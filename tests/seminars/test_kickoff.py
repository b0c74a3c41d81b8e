"""The kick-off: proposals, ballots and the Borda count with its tie-breaks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars import kickoff
from seminars.models import ProposalRank, ThemeProposal


def proposal(programme, person, title, minutes=0):
    return ThemeProposal.objects.create(
        programme=programme,
        proposer=person,
        title=title,
        why="Det er vigtigt for velfærdsfornyelsen.",
        created_at=timezone.now() + datetime.timedelta(minutes=minutes),
    )


@pytest.fixture
def three(org, programme):
    return [
        proposal(programme, org["fagchef_a"], title, n)
        for n, title in enumerate(["Samskabelse", "Social kapital", "Dialog med borgere"])
    ]


def test_borda_gives_m_minus_rank_points_and_ties_break_by_first_places(org, programme, three):
    a, b, c = three
    # Two ballots: a, b, c and b, a, c: a and b have 3 points each, c 0; each one first
    # place; a and b both in everyone's top three: the earlier proposal (a) wins.
    ranks = [(a.pk, 1, 1), (b.pk, 1, 2), (c.pk, 1, 3), (b.pk, 2, 1), (a.pk, 2, 2), (c.pk, 2, 3)]

    ranked = kickoff.borda([a, b, c], ranks)

    assert [(r.proposal, r.points, r.firsts) for r in ranked] == [(a, 3, 1), (b, 3, 1), (c, 0, 0)]
    # A third ballot with b first breaks the tie by points.
    ranked = kickoff.borda([a, b, c], [*ranks, (b.pk, 3, 1), (c.pk, 3, 2), (a.pk, 3, 3)])
    assert [r.proposal for r in ranked] == [b, a, c]


def test_more_first_places_win_a_tie_in_points(org, programme):
    p = [proposal(programme, org["fagchef_a"], f"Tema {n}", n) for n in range(4)]
    # m = 4. p1: 1st + 4th = 3 + 0 = 3 points; p0: 2nd + 3rd = 2 + 1 = 3 points.
    ranks = [(p[1].pk, 1, 1), (p[0].pk, 1, 2), (p[2].pk, 1, 3), (p[3].pk, 1, 4)]
    ranks += [(p[2].pk, 2, 1), (p[3].pk, 2, 2), (p[0].pk, 2, 3), (p[1].pk, 2, 4)]

    ranked = kickoff.borda(p, ranks)

    assert {r.proposal: r.points for r in ranked}[p[0]] == {r.proposal: r.points for r in ranked}[
        p[1]
    ]
    assert ranked.index(next(r for r in ranked if r.proposal == p[2])) == 0  # 5 points
    order = [r.proposal for r in ranked]
    assert order.index(p[1]) < order.index(p[0])  # same points; p1 has a first place


def test_a_member_proposes_and_ranks_through_the_page(client, users, org, three):
    client.force_login(users["fagchef"])
    url = reverse("seminars:kickoff")

    client.post(url, {"action": "propose", "title": "Refleksivitet", "why": "Fordi."})
    refused = client.post(url, {"action": "rank", **{f"rank-{p.pk}": "1" for p in three}})
    assert "uden at gentage en placering" in refused.content.decode()
    assert not ProposalRank.objects.exists()
    new = ThemeProposal.objects.get(title="Refleksivitet")
    ballot = {f"rank-{p.pk}": str(n) for n, p in enumerate([new, *three], start=1)}
    client.post(url, {"action": "rank", **ballot})

    ranks = dict(ProposalRank.objects.values_list("proposal__title", "rank"))
    assert ranks == {
        "Refleksivitet": 1,
        "Samskabelse": 2,
        "Social kapital": 3,
        "Dialog med borgere": 4,
    }
    page = client.get(url).content.decode()
    assert page.index("Refleksivitet") < page.index("Dialog med borgere")
    assert "Borda-tælling" in page


def test_a_proposal_without_a_reason_is_refused_and_kept(client, users, three):
    client.force_login(users["fagchef"])

    response = client.post(
        reverse("seminars:kickoff"), {"action": "propose", "title": "Tillid", "why": ""}
    )

    assert "Skriv, hvorfor temaet er vigtigt." in response.content.decode()
    assert 'value="Tillid"' in response.content.decode()
    assert not ThemeProposal.objects.filter(title="Tillid").exists()


@pytest.mark.parametrize("role", ["leder", "medarbejder"])
def test_leaders_and_staff_have_no_kickoff_page(client, users, role):
    client.force_login(users[role])

    assert client.get(reverse("seminars:kickoff")).status_code == 403
