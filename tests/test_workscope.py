"""balcao.workscope: a read done once per unit of work, every time outside one."""

from balcao import workscope


def test_outside_a_scope_every_call_reads_again():
    reads = []
    assert workscope.remember("k", lambda: reads.append(1) or len(reads)) == 1
    assert workscope.remember("k", lambda: reads.append(1) or len(reads)) == 2
    assert not workscope.active()


def test_inside_a_scope_the_first_answer_is_kept_until_it_ends():
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    with workscope.scope():
        assert workscope.active()
        assert workscope.remember("k", read) == 1
        assert workscope.remember("k", read) == 1
        assert workscope.remember("other", read) == 2
        with workscope.scope():  # an inner scope shares the outer one's answers
            assert workscope.remember("k", read) == 1
        assert workscope.remember("k", read) == 1
    assert workscope.remember("k", read) == 3  # the scope ended: read again
    assert not workscope.active()


def test_a_scope_ends_even_when_its_block_raises():
    try:
        with workscope.scope():
            workscope.remember("k", lambda: 1)
            raise RuntimeError
    except RuntimeError:
        pass
    assert not workscope.active()
