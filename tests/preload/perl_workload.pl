#!/usr/bin/perl
# A perl workload for the preload suite (preload_driver.py, case perl):
# hashes, arrays, string building, regular expressions and sorting, with a
# digest of everything printed at the end. Deterministic: the driver sets
# PERL_HASH_SEED=0, and every hash is read in sorted order anyway.
use strict;
use warnings;
use Digest::MD5;

my $md5 = Digest::MD5->new;
my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed; }
sub word { my $n = 2 + rnd() % 9; join '', map { chr(97 + rnd() % 26) } 1 .. $n; }

# A word-frequency hash over generated text, and an index of positions.
my (%count, %where, @words);
for my $i (1 .. 60000) {
    my $w = word();
    push @words, $w;
    $count{$w}++;
    push @{ $where{ substr($w, 0, 2) } }, $i;
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 9];
print "distinct words: ", scalar(keys %count), "\n";
print "top: @top\n";
print "prefixes: ", scalar(keys %where), ", longest list: ",
    (sort { $b <=> $a } map { scalar @$_ } values %where)[0], "\n";

# Strings: build a large text, then split, join and substitute with regexes.
my $text = join ' ', @words;
$md5->add($text);
(my $vowels = $text) =~ tr/aeiou//cd;
my $doubled = () = $text =~ /\b(\w)\w*\1\b/g;
(my $caps = $text) =~ s/\b(\w)(\w*)/\u$1\L$2/g;
my @pairs = $text =~ /\b([a-f]\w+) ([m-z]\w+)\b/g;
print "text length: ", length($text), ", vowels: ", length($vowels), ", words with equal ends: $doubled\n";
print "pairs: ", scalar(@pairs), ", caps sample: ", substr($caps, 0, 40), "\n";
$md5->add($caps);

# Records: an array of hashes, sorted on several keys, then grouped.
my @records = map { { id => $_, name => word(), score => rnd() % 1000, tags => [map { word() } 1 .. rnd() % 5] } }
    1 .. 20000;
my @sorted = sort { $b->{score} <=> $a->{score} || $a->{name} cmp $b->{name} || $a->{id} <=> $b->{id} } @records;
print "best: ", join(', ', map { "$_->{name}=$_->{score}" } @sorted[0 .. 4]), "\n";
my %by_tag;
for my $r (@records) { push @{ $by_tag{$_} }, $r->{id} for @{ $r->{tags} }; }
my $tag_digest = Digest::MD5->new;
$tag_digest->add("$_:" . join(',', @{ $by_tag{$_} }) . ";") for sort keys %by_tag;
print "tags: ", scalar(keys %by_tag), " ", $tag_digest->hexdigest, "\n";

# Churn: grow and shrink strings and arrays so blocks are reallocated.
my @stack;
my $s = '';
for my $i (1 .. 40000) {
    $s .= word();
    if (length($s) > 5000) { push @stack, $s; $s = substr($s, -100); }
    splice(@stack, rnd() % @stack, 1) if @stack > 50;
}
$md5->add($_) for @stack;
my %h2 = map { ($_ => scalar reverse $_) } @words[0 .. 29999];
delete $h2{$_} for grep { /[aeiou]{2}/ } keys %h2;
$md5->add(join ',', map { "$_=$h2{$_}" } sort keys %h2);
print "kept: ", scalar(keys %h2), "\n";
print "digest: ", $md5->hexdigest, "\n";
