"""Ranking the kick-off's theme proposals by a Borda count, and the members' ballots.

Method (shown on the page): with m proposals, a member's rank r gives the proposal
m − r points; a proposal a member did not rank gets 0 from them. Proposals are ordered by
points; a tie is broken by more first places, then by more top-three places, and finally
by the earlier proposal, so the order is the same every time it is computed.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .models import ProposalRank, ThemeProposal


@dataclass
class Ranked:
    proposal: ThemeProposal
    points: int
    firsts: int
    top_three: int
    ballots: int


def borda(proposals: list[ThemeProposal], ranks: list[tuple[int, int, int]]) -> list[Ranked]:
    """Order the proposals; `ranks` holds (proposal id, ranker id, rank) triples."""
    m = len(proposals)
    points, firsts, top_three, ballots = Counter(), Counter(), Counter(), Counter()
    for proposal_id, _ranker, rank in ranks:
        if 1 <= rank <= m:
            points[proposal_id] += m - rank
            firsts[proposal_id] += rank == 1
            top_three[proposal_id] += rank <= 3
            ballots[proposal_id] += 1
    ranked = [
        Ranked(p, points[p.pk], firsts[p.pk], top_three[p.pk], ballots[p.pk]) for p in proposals
    ]
    ranked.sort(
        key=lambda r: (-r.points, -r.firsts, -r.top_three, r.proposal.created_at, r.proposal.pk)
    )
    return ranked


def result(programme) -> list[Ranked]:
    proposals = list(
        ThemeProposal.objects.filter(programme=programme)
        .select_related("proposer")
        .prefetch_related("seminars")
    )
    ranks = list(
        ProposalRank.objects.filter(proposal__programme=programme).values_list(
            "proposal_id", "ranker_id", "rank"
        )
    )
    return borda(proposals, ranks)


class BallotError(Exception):
    """The ranks cannot be saved as given; the message is Danish."""


@transaction.atomic
def save_ballot(*, programme, ranker, ranks: dict[int, int]) -> None:
    """Replace the member's ranks: each proposal a different place from 1 upwards."""
    proposals = set(ThemeProposal.objects.filter(programme=programme).values_list("pk", flat=True))
    given = {pk: rank for pk, rank in ranks.items() if pk in proposals}
    places = sorted(given.values())
    if places != list(range(1, len(places) + 1)):
        raise BallotError(
            _(
                "Giv forslagene hver sin placering fra 1 og opefter, uden huller og uden at "
                "gentage en placering."
            )
        )
    ProposalRank.objects.filter(proposal__programme=programme, ranker=ranker).delete()
    ProposalRank.objects.bulk_create(
        ProposalRank(proposal_id=pk, ranker=ranker, rank=rank) for pk, rank in given.items()
    )
