"""The one error type of the assessments app; its message is shown to people as is."""


class AssessmentError(Exception):
    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
