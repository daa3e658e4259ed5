"""FARSI-style system-on-chip model for AR/VR workloads (task graphs on cores, IPs, memories)."""
