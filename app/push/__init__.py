"""Pushes to workers: the job queue (RQ), the senders, the scheduler's tick and test sends.

The rules live in models/ (push_ledger: a push's life; push_delivery: the ledger of recipients);
here are the WeChat calls, the threads and the queue. See send.py for exactly-once and its limits.
"""
