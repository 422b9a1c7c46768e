"""The demo apps (examples/) under real servers, and the PasteDeploy configs."""
