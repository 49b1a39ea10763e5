class PracticeError(Exception):
    """A practice action that cannot be done; ``message`` is translated for the learner."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
