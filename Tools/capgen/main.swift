print("capgen")
