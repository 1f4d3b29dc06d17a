"""A flow worker that is a real `exospherehost` 0.0.3 Runtime (tests/it/flows/exosphere.rs).

The flow manager injects EXOSPHERE_STATE_MANAGER_URI and EXOSPHERE_API_KEY, which the SDK reads;
the Runtime registers its node and polls for states. Node `Step` returns its input with `!`
appended; an input starting with `slow` blocks on its first attempt (the marker file
OUT/claimed-INPUT holds the pid of the worker that claimed it), so the test can kill that worker
mid-run; the retry finds the marker and completes.
"""

import asyncio
import os

from pydantic import BaseModel

from exospherehost import BaseNode, Runtime

OUT = os.environ["OUT"]


class Step(BaseNode):
    class Inputs(BaseModel):
        x: str

    class Outputs(BaseModel):
        x: str

    async def execute(self):
        marker = os.path.join(OUT, f"claimed-{self.inputs.x}")
        if self.inputs.x.startswith("slow") and not os.path.exists(marker):
            with open(marker + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename(marker + ".tmp", marker)
            await asyncio.sleep(1000)
        return self.Outputs(x=self.inputs.x + "!")


if __name__ == "__main__":
    Runtime(namespace="wf", name="flowrt", nodes=[Step], batch_size=1, workers=1,
            poll_interval=0.1).start()
