"""Runtime helper: a logging filter on every mmengine ``MMLogger``.

What it fixes: the runner builds its logger itself (``Runner.build_logger``)
and takes no filter, so a filter added to the loggers that exist does not
reach the runner's. :func:`filter_every_mmlogger` wraps ``MMLogger.__init__``
(once) to add the registered filters to each new instance; used by
:func:`kd_plugins.cli.quiet.silence_known_noise`.

How it detects the need: it runs only when a tool asks for a filter; the
wrapper is installed once and each filter is added once.

When to delete: when mmengine's runner accepts logging filters (or a logger
config with filters).
"""
import logging

__all__ = ['filter_every_mmlogger']

_FILTER_MARK = '_kd_plugins_filters'


def filter_every_mmlogger(log_filter: logging.Filter) -> None:
    """Add ``log_filter`` to every mmengine ``MMLogger``, existing and future.

    Idempotent per filter.

    Args:
        log_filter (logging.Filter): The filter.
    """
    from mmengine.logging import MMLogger
    for logger in list(MMLogger._instance_dict.values()):
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)
    filters = getattr(MMLogger.__init__, _FILTER_MARK, None)
    if filters is None:
        original_init = MMLogger.__init__
        filters = []

        def __init__(self, *args, **kwargs):
            original_init(self, *args, **kwargs)
            for each in filters:
                self.addFilter(each)

        setattr(__init__, _FILTER_MARK, filters)
        MMLogger.__init__ = __init__
    if log_filter not in filters:
        filters.append(log_filter)
