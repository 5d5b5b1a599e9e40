// Module Learning.
