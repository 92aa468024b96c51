"""Reading a mailbox over IMAP (issue 22): every message not yet taken becomes a record
through ``services.ingest`` (committed), and only then is it marked on the server with the
keyword ``BalcaoIngested`` — so a crash between the two reads it again, and ``ingest`` finds
its record and changes nothing. The person's own reading flags (\\Seen) are left alone:
messages are fetched with ``BODY.PEEK[]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from balcao.mail import secrets, services
from balcao.mail.models import Mailbox

KEYWORD = "BalcaoIngested"
BATCH = 200
_UID = re.compile(rb"UID (\d+)")


@dataclass
class Fetched:
    """What one pass over a mailbox did."""

    read: int = 0
    new: int = 0  # records created in this pass (not found from an earlier one)


def connect(mailbox: Mailbox):
    from imap_tools import MailBox, MailBoxUnencrypted

    box_class = MailBox if mailbox.imap_tls else MailBoxUnencrypted
    box = box_class(mailbox.imap_host, mailbox.imap_port)
    return box.login(
        mailbox.imap_user, secrets.unseal(mailbox.imap_secret), initial_folder=mailbox.folder
    )


def fetch_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> Fetched:
    """Take every message of ``mailbox``'s folder that does not carry ``KEYWORD`` yet."""
    from imap_tools import AND

    done = Fetched()
    with connect(mailbox) as box:
        status = box.folder.status(mailbox.folder, ["UIDVALIDITY"])
        uidvalidity = int(status["UIDVALIDITY"])
        uids = box.uids(AND(no_keyword=KEYWORD))
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            result, data = box.client.uid("FETCH", ",".join(chunk), "(UID BODY.PEEK[])")
            if result != "OK":
                continue
            taken = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                found = _UID.search(item[0])
                if found is None:
                    continue
                uid = int(found.group(1))
                row = services.ingest(mailbox, item[1], uidvalidity=uidvalidity, uid=uid)
                done.new += row.created_now
                done.read += 1
                taken.append(str(uid))
            if taken:
                box.flag(taken, KEYWORD, True)
    return done
