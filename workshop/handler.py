"""Django's ASGI handler, with a request's synchronous part in one hop to a pooled thread.

Django's own handler gives every request a new thread, and crosses between it and the event
loop five times or so: for the request_started signal, into the middleware, back out and in
again around the view, and for request_finished. Every crossing is a thread switch; under a
room's load they were a good part of each request's cost. Here the signals, the middleware and
the view run together, once, in a thread of a pool, as under a threaded WSGI server; the event
loop only reads the request and writes the response. The views are all synchronous, so nothing
is lost by it.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections
from django.http import FileResponse
from django.urls import set_script_prefix

# How much of a streaming response is made per hop to its thread: a few hundred CSV rows, a few
# milliseconds of work, then the event loop's turn again.
STREAM_BATCH_BYTES = 64 * 1024


class OneHopASGIHandler(ASGIHandler):
    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)  # one synchronous chain, the view at its end

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            response = await sync_to_async(self.respond, thread_sensitive=False)(scope, body_file)
            if response.streaming and not response.is_async:
                stream = ThreadedStream(response)
                try:
                    await self.send_response(response, send)
                finally:
                    await stream.close()
                return
            await self.send_response(response, send)
        if response.streaming:
            # Its content was made as it was sent; done, it is closed as Django closes it.
            await sync_to_async(response.close, thread_sensitive=False)()

    def respond(self, scope, body_file):
        """In a pooled thread: what Django's handler does between reading and sending."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        response = error_response if request is None else self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()  # request_finished: the database connection goes back to the pool
        elif not response.is_async:
            # Its content is made in another thread (ThreadedStream), with a connection of its
            # own: this thread's goes back to the pool now, not whenever it serves again.
            close_old_connections()
        return response


class ThreadedStream:
    """A streaming response's synchronous content (a CSV download's rows read in chunks, a
    file), made in one thread of its own a batch at a time, the event loop sending each batch
    before the next is asked for.

    Django would read the whole iterator into a list in one go (StreamingHttpResponse's
    __aiter__ for a synchronous iterator), holding it all in memory, its first byte sent only
    after its last was made. One thread throughout, because the iterator may hold a database
    cursor, and its connection is closed by the same thread once the response is closed."""

    def __init__(self, response):
        self.response = response
        self.parts = iter(response.streaming_content)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream")
        response.streaming_content = self.batches()

    def next_batch(self) -> bytes | None:
        batch, size = [], 0
        for part in self.parts:
            batch.append(part)
            size += len(part)
            if size >= STREAM_BATCH_BYTES:
                break
        return b"".join(batch) if batch else None

    async def batches(self):
        in_its_thread = sync_to_async(
            self.next_batch, thread_sensitive=False, executor=self.executor
        )
        while (batch := await in_its_thread()) is not None:
            yield batch

    async def close(self):
        try:
            await sync_to_async(
                self.response.close, thread_sensitive=False, executor=self.executor
            )()
        finally:
            self.executor.shutdown(wait=False)
