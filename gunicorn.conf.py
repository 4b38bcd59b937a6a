"""gunicorn settings read from the working directory: warm the bot up before a worker takes requests."""


def post_worker_init(worker):
    """Load jieba and train the classifier now, not on the first worker's message (WeChat waits 5 s)."""
    from bot.conversation import warm_up

    warm_up()
