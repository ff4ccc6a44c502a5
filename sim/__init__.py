"""itlead: agent-based simulation of IT leadership structures."""
