// Module MetadataSQLite.
