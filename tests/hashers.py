from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Real Argon2, tuned cheap so the suite does not spend minutes hashing."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
