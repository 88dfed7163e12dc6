-- Traces: the W3C traceparent of the HTTP request that scheduled a push request (null when that request was not
-- traced), so the engine's span of each batch of its jobs links back to it.
ALTER TABLE push_requests ADD COLUMN scheduled_by_traceparent text;
