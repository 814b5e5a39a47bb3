"""What every page's callbacks share: the exports of each visual (:mod:`.export`) and the cache of rendered
answers (:mod:`.rendered`). A page's own callbacks live in its package, ``dashapp/pages/<page>/callbacks.py``."""
