"""The experts app's pages, one module each: panels (review panels and their members), scores (score sheet,
会评 grid, score-sheet upload), draws (the draw record), online (staff's side of 网评), registry (the expert
library, fields, 科技副总, 科技特派团/员), seats (the expert's own 我的评审). experts/urls.py imports them."""
