"""Charts to Slack as files, with the current upload API.

``files.getUploadURLExternal`` gives an upload URL, the picture's bytes go
there, and ``files.completeUploadExternal`` shares the file in the channel
(``files.upload`` is retired). slack_sdk's ``files_upload_v2`` makes exactly
those calls; the file carries the chart's text alternative (``alt_txt``) and
its title as the comment that comes with it.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from pmobot.messages import Chart

# Slack refuses an alt_txt over 1,000 characters.
ALT_TXT = 1000


async def upload_chart(client: AsyncWebClient, chart: Chart, *, channel: str, thread_ts: str | None = None) -> None:
    """Share ``chart`` in ``channel`` (a thread of it with ``thread_ts``); Slack errors are raised."""
    await client.files_upload_v2(
        filename=chart.filename, content=chart.image, title=chart.title, alt_txt=chart.alt_text[:ALT_TXT],
        channel=channel, initial_comment=chart.title, thread_ts=thread_ts or None,
        # The shared file is not read back: nothing here needs files.info.
        request_file_info=False,
    )
