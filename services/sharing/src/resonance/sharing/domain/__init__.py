"""The sharing service's business rules: pure functions and value types, no I/O. Post lengths
as each network counts them come from the `resonance.socialtext` library (libs/socialtext).

networks      the networks we know, their length rules and limits, share-intent URLs
captions      the posted text (caption + disclosure + tracked link), fit check, caption variant
share_state   a share's lifecycle `decide(share, action)` and reconciling attempts in doubt
caps          the tenant's daily caps and the networks' daily limits, next free slot
pacing        rate-limit headers, backoff with jitter, classifying network responses
auto_share    campaign auto-share planning over each person's working time
links         short codes, UTM-tagged destinations, visitor hashes, click windows
bots          whether a request to a tracked link counts as a click
reach         metrics polling schedule and batches, measured versus estimated reach
local_time    local days and hours of an ambassador, as UTC instants
"""
