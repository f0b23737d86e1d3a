"""Printer faults injected with a scripted fake stream: paper out, off, silent, late, garbage, pulled out.

For each: submit returns at once, on_done comes exactly once with what to tell the
visitor, and nothing reaches the printer later for somebody else.
"""

import logging
import threading

from hardware.printer import PrinterStatus, PrintOutcome
from hardware.printer.connections import PrinterIOError
from hardware.printer.status import (
    ANSWER_OFFLINE,
    ANSWER_ONLINE,
    ANSWER_PAPER_LOW,
    ANSWER_PAPER_OK,
    ANSWER_PAPER_OUT,
    DLE_EOT_PAPER,
    DLE_EOT_PRINTER,
    status_from_answers,
)
from kiosk.receipts import Receipt, paragraph
from tests.hardware.conftest import WAIT_S, FakeStream, make_config, sample_receipt


class StatusChanges:
    def __init__(self):
        self.seen = []
        self._cond = threading.Condition()

    def __call__(self, status):
        with self._cond:
            self.seen.append(status)
            self._cond.notify_all()

    def wait_for(self, status, timeout_s=WAIT_S):
        with self._cond:
            assert self._cond.wait_for(lambda: status in self.seen, timeout_s), f"never {status}; saw {self.seen}"


def start(services, tmp_path, fake, **printer):
    settings = dict(connection="serial", job_timeout_s=1.0, io_timeout_s=0.2, status_poll_s=1.0)
    settings.update(printer)
    changes = StatusChanges()
    service = services(make_config(tmp_path, **settings), lambda: fake)
    service.add_status_listener(changes)
    return service, changes


def job_bytes(fake):
    """What reached the printer apart from status requests."""
    return bytes(fake.received)


# ----- the status byte decoder ----------------------------------------------------------------
def test_status_answers_map_to_states():
    assert status_from_answers(ANSWER_PAPER_OK, ANSWER_ONLINE) is PrinterStatus.READY
    assert status_from_answers(ANSWER_PAPER_LOW, ANSWER_ONLINE) is PrinterStatus.PAPER_LOW
    assert status_from_answers(ANSWER_PAPER_OUT, ANSWER_OFFLINE) is PrinterStatus.PAPER_OUT
    assert status_from_answers(ANSWER_PAPER_OK, ANSWER_OFFLINE) is PrinterStatus.OFFLINE
    assert status_from_answers(b"", None) is PrinterStatus.UNKNOWN           # silence is not "paper OK"
    assert status_from_answers(b"\xff", ANSWER_ONLINE) is PrinterStatus.UNKNOWN   # garbage
    assert status_from_answers(b"\x00", ANSWER_ONLINE) is PrinterStatus.UNKNOWN
    assert status_from_answers(ANSWER_PAPER_OK, b"AB") is PrinterStatus.UNKNOWN


# ----- the faults -----------------------------------------------------------------------------
def test_paper_out_refuses_jobs_and_logs_for_conseillers(tmp_path, services, outcomes, caplog):
    caplog.set_level(logging.INFO, logger="hardware")
    fake = FakeStream(paper=ANSWER_PAPER_OUT, printer=ANSWER_OFFLINE)
    service, changes = start(services, tmp_path, fake)
    changes.wait_for(PrinterStatus.PAPER_OUT)
    receipt = Receipt((paragraph("Votre adresse : marie@exemple.fr", personal=True),))
    assert not service.submit(receipt, "k", outcomes)
    assert service.last_refusal_key == "print.paper_out"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "paper_out" in r.getMessage()]
    assert warnings and "new paper roll" in warnings[0].getMessage()
    assert all("marie" not in r.getMessage() for r in caplog.records)
    # a new roll: the idle poll sees it and printing works again
    fake.paper, fake.printer = ANSWER_PAPER_OK, ANSWER_ONLINE
    changes.wait_for(PrinterStatus.READY)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].ok
    assert job_bytes(fake).endswith(b"\x1dV\x00")


def test_paper_running_out_between_jobs_fails_the_job_without_sending_it(tmp_path, services, outcomes):
    fake = FakeStream()
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)
    fake.paper = ANSWER_PAPER_OUT   # the status read before the job sees it
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.paper_out")]
    assert fake.jobs_started == 0 and job_bytes(fake) == b""
    assert service.status is PrinterStatus.PAPER_OUT


def test_paper_low_still_prints_and_warns(tmp_path, services, outcomes, caplog):
    caplog.set_level(logging.WARNING, logger="hardware")
    fake = FakeStream(paper=ANSWER_PAPER_LOW)
    service, changes = start(services, tmp_path, fake)
    changes.wait_for(PrinterStatus.PAPER_LOW)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].ok
    assert any("paper_low" in r.getMessage() for r in caplog.records)


def test_printer_off_job_dropped_at_its_time_limit_and_never_printed_when_it_comes_back(tmp_path, services, outcomes):
    fake = FakeStream()
    fake.fail_open = "cannot open /dev/ttyUSB0: No such file or directory"
    service, changes = start(services, tmp_path, fake)
    changes.wait_for(PrinterStatus.OFFLINE)
    assert service.submit(sample_receipt(), "visitor-1", outcomes)   # it may come back in time
    assert outcomes.wait() == [PrintOutcome("visitor-1", False, "print.offline")]
    fake.fail_open = None            # switched on again, for the next visitor
    changes.wait_for(PrinterStatus.READY)
    assert job_bytes(fake) == b"" and fake.jobs_started == 0
    assert len(outcomes.calls) == 1


def test_no_answer_is_unknown_never_paper_ok_and_nothing_prints(tmp_path, services, outcomes):
    fake = FakeStream(paper=b"", printer=b"")
    service, changes = start(services, tmp_path, fake)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.offline")]
    assert service.status is PrinterStatus.UNKNOWN
    assert job_bytes(fake) == b""


def test_status_reads_off_prints_without_asking(tmp_path, services, outcomes):
    fake = FakeStream(paper=b"", printer=b"")
    service, changes = start(services, tmp_path, fake, status_reads=False)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].ok
    assert fake.queries == [] and job_bytes(fake).endswith(b"\x1dV\x00")


def test_garbage_answers_read_as_unknown(tmp_path, services, outcomes):
    fake = FakeStream(paper=b"\xff", printer=b"\x00")
    service, changes = start(services, tmp_path, fake)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.offline")]
    assert service.status is PrinterStatus.UNKNOWN
    assert job_bytes(fake) == b""


def test_submit_returns_while_the_printer_is_stuck_answering(tmp_path, services, outcomes):
    fake = FakeStream()
    fake.query_gate = threading.Event()            # the printer takes "forever" to answer
    service, _ = start(services, tmp_path, fake)
    assert fake.query_entered.wait(WAIT_S)         # the worker is inside a status read
    assert service.submit(sample_receipt(), "k", outcomes)
    assert service.status is PrinterStatus.UNKNOWN
    assert not fake.query_gate.is_set()            # submit came back before the answer did
    assert outcomes.calls == []
    fake.query_gate.set()
    assert outcomes.wait()[0].ok


def test_late_answer_past_the_job_limit_drops_the_job(tmp_path, services, outcomes):
    fake = FakeStream()
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)
    gate = fake.query_gate = threading.Event()
    fake.query_entered.clear()
    assert service.submit(sample_receipt(), "k", outcomes)
    assert fake.query_entered.wait(WAIT_S)
    # The answer comes only once the job's 1 s limit has passed (the test waits on the
    # outcome-free state, then lets the printer answer "ready").
    threading.Timer(1.5, gate.set).start()
    [outcome] = outcomes.wait()
    assert outcome == PrintOutcome("k", False, "print.timeout")
    assert job_bytes(fake) == b""


def test_disconnect_in_the_middle_of_a_job_fails_it_and_never_resends(tmp_path, services, outcomes):
    fake = FakeStream()
    sent = []

    def pulled_out_after_first_chunk(chunk):
        if sent:
            raise PrinterIOError("fake: device disconnected")
        sent.append(chunk)

    fake.write_fault = pulled_out_after_first_chunk
    service, changes = start(services, tmp_path, fake)
    changes.wait_for(PrinterStatus.READY)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.failed")]
    changes.wait_for(PrinterStatus.OFFLINE)
    partial = job_bytes(fake)
    assert 0 < len(partial) and not partial.endswith(b"\x1dV\x00")
    fake.write_fault = None
    changes.seen.clear()
    changes.wait_for(PrinterStatus.READY)     # reconnected by the idle poll
    assert job_bytes(fake) == partial and fake.jobs_started == 1
    assert fake.closed >= 1 and fake.opened >= 2


def test_printer_that_stops_taking_bytes_times_out(tmp_path, services, outcomes):
    fake = FakeStream()
    fake.write_fault = "timeout"
    service, changes = start(services, tmp_path, fake)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.timeout")]


def test_job_queued_behind_a_stuck_one_is_dropped_not_printed_late(tmp_path, services, outcomes):
    fake = FakeStream()
    release = threading.Event()
    entered = threading.Event()

    def slow(chunk):
        entered.set()
        release.wait(WAIT_S)

    fake.write_fault = slow
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)
    assert service.submit(sample_receipt(), "first", outcomes)
    assert entered.wait(WAIT_S)
    assert service.submit(sample_receipt(), "second", outcomes)
    threading.Timer(1.5, release.set).start()    # past both jobs' 1 s limit
    results = {o.job_key: o for o in outcomes.wait(2)}
    assert results["first"].message_key == "print.timeout"
    assert results["second"] == PrintOutcome("second", False, "print.timeout")
    assert fake.jobs_started == 1
    assert len(outcomes.calls) == 2


def test_status_requests_are_dle_eot(tmp_path, services):
    fake = FakeStream()
    _, changes = start(services, tmp_path, fake)
    changes.wait_for(PrinterStatus.READY)
    assert fake.queries[:2] == [DLE_EOT_PAPER, DLE_EOT_PRINTER]


def test_paper_running_out_during_the_job_is_not_reported_printed(tmp_path, services, outcomes):
    fake = FakeStream()
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)

    def roll_ends(chunk):
        fake.paper, fake.printer = ANSWER_PAPER_OUT, ANSWER_OFFLINE

    fake.write_fault = roll_ends
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.paper_out")]
    assert service.status is PrinterStatus.PAPER_OUT
    assert fake.queries[-2:] == [DLE_EOT_PAPER, DLE_EOT_PRINTER]   # asked after the job's bytes


def test_printer_silent_after_the_job_is_unconfirmed_not_printed(tmp_path, services, outcomes):
    fake = FakeStream()
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)

    def goes_quiet(chunk):
        fake.paper = fake.printer = b""

    fake.write_fault = goes_quiet
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.unconfirmed")]
    assert service.status is PrinterStatus.UNKNOWN


def test_an_unexpected_status_read_error_is_logged_once_and_the_connection_reopened(tmp_path, services, outcomes,
                                                                                    caplog):
    caplog.set_level(logging.INFO, logger="hardware")
    fake = FakeStream()
    service, changes = start(services, tmp_path, fake, status_poll_s=600)
    changes.wait_for(PrinterStatus.READY)
    opened = fake.opened

    def connection_bug():
        raise ValueError("a bug in a connection class")

    fake.paper = connection_bug
    # The job reads status every 0.5 s until its 1 s limit: at least two reads hit the bug.
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", False, "print.offline")]
    reads_with_the_bug = len(fake.queries) - 2
    assert reads_with_the_bug >= 2
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "ValueError" in errors[0].getMessage()
    assert fake.opened - opened >= reads_with_the_bug - 1   # closed after each, reopened by the next read
