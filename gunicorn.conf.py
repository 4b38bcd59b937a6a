"""gunicorn settings read from the working directory: warm the bot up before a worker takes requests."""


def post_worker_init(worker):
    """Load jieba, train the classifier and index the knowledge base now, not on the first message (WeChat waits 5 s).

    An empty knowledge base (a new database) gets the shipped entries first; workers starting together
    import once between them.
    """
    from app.knowledge_cli import prepare

    prepare(worker.wsgi)
    worker.log.info("worker warmed up, taking requests")
