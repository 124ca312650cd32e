"""LIQUID EDGE edge inference microservices."""
