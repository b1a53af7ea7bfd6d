"""The experts app's pages: panels (review panels, draws, scores, score sheets), online (staff's side of
网评), registry (the expert library, fields, 科技副总, 科技特派团/员), seats (the expert's own 我的评审).
experts/urls.py imports the modules."""
