"""The smallest Celery application for readiness tests: workers join the broker named by
CELERY_BROKER_URL under the node name they are given (-n celery@NODE), and answer
`celery -A celery_app inspect ping -d celery@NODE` once they are up."""
import os

from celery import Celery

app = Celery("mihiluze", broker=os.environ["CELERY_BROKER_URL"])
app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)


@app.task
def save_game(player, score):
    return {"player": player, "score": score}
