"""Following figures: members follow measures and councils (their own council by default), are told in
words what an import changed, and communities linked to a measure get a post when its figures change."""
