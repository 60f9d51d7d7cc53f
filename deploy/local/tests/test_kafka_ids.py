from resonance.devstack.kafka import new_cluster_id


def test_cluster_ids_never_look_like_an_option() -> None:
    # One id in 64 would start with '-' if drawn naively; 2,000 draws all but prove it.
    ids = [new_cluster_id() for _ in range(2000)]
    assert not any(i.startswith("-") for i in ids)
    assert all(len(i) == 22 for i in ids)
    assert len(set(ids)) == len(ids)
