"""LIQUID EDGE closed-loop simulation: world, simulated camera, demo."""
