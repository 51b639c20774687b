"""The Indonesian wording of the error messages of the commands that run something: grad's programs (program/),
exercise, grade and check (grading/), vanishing (study/), the tape and the renderers' options. As in
:mod:`backcalc.render.labels_errors_spec`: each English message as raised, ``{}`` for its values (kept as
written), and its Indonesian; :func:`backcalc.render.labels_errors.message` applies them.
"""

MESSAGES = {
    # ── commands ──
    "--moodle needs --roster (one question per student's variant)":
        "--moodle memerlukan --roster (satu soal per varian mahasiswa)",
    "--format png writes binary data: redirect it to a file (backcalc explain --format png > net.png)":
        "--format png menulis data biner: alihkan ke sebuah berkas (backcalc explain --format png > net.png)",
    "{} of {} gradients disagree{}": "{} dari {} gradien tidak cocok{}",
    "--at: {} is given twice": "--at: {} diberikan dua kali",
    "--plot needs matplotlib: pip install 'backcalc[plot]'": "--plot memerlukan matplotlib: pip install 'backcalc[plot]'",
    # ── grading/classroom, gradebook, grade, keys, reader ──
    "the roster is empty; expected a header row id,name,email and one row per student":
        "daftar mahasiswa kosong; seharusnya baris judul id,name,email dan satu baris per mahasiswa",
    "unknown column {}; expected id, name, email, answers":
        "kolom {} tidak dikenal; seharusnya id, name, email, answers",
    "no students: expected one row per student after the header":
        "tidak ada mahasiswa: seharusnya satu baris per mahasiswa setelah baris judul",
    "no column {}: expected a header row with id, name and optionally email, got {}":
        "kolom {} tidak ada: seharusnya baris judul dengan id, name dan (boleh) email, diberikan {}",
    "{} fields for the header's {}": "{} kolom untuk {} kolom baris judul",
    "id {}: expected letters, digits, '.', '_' or '-' (it names the student's folder), up to 64 characters, not {}":
        "id {}: seharusnya huruf, digit, '.', '_' atau '-' (menjadi nama folder mahasiswa), paling banyak 64 "
        "karakter, bukan {}",
    "id {} is given twice (first on line {})": "id {} diberikan dua kali (pertama di baris {})",
    "answers {}: expected a path inside the class folder": "answers {}: seharusnya path di dalam folder kelas",
    "more than {} students": "lebih dari {} mahasiswa",
    "--roster: {} students × {} parameters × {} sample(s) = {}; one run makes at most {} (about 10 s): split the "
    "roster into sections of at most {} students, one folder each":
        "--roster: {} mahasiswa × {} parameter × {} sampel = {}; satu kali jalan membuat paling banyak {} (sekitar "
        "10 detik): bagi daftar mahasiswa menjadi kelompok paling banyak {} mahasiswa, satu folder per kelompok",
    "{}: no roster.csv and no */sheet.toml: expected the folder written by backcalc exercise --roster":
        "{}: tidak ada roster.csv dan tidak ada */sheet.toml: seharusnya folder yang ditulis oleh backcalc exercise "
        "--roster",
    "{}: expected the class folder written by backcalc exercise --roster":
        "{}: seharusnya folder kelas yang ditulis oleh backcalc exercise --roster",
    "--{}: expected a number ≥ 0, got {}": "--{}: seharusnya bilangan ≥ 0, diberikan {}",
    "unknown key: {}": "kunci tidak dikenal: {}",
    "{}: layers[{}] (\"{}\"): check, grade and exercise answer nets of dense layers only so far, not kind {}":
        "{}: layers[{}] (\"{}\"): check, grade dan exercise sejauh ini hanya menangani jaringan lapisan dense, bukan "
        "jenis {}",
    "{}: layers[{}] (\"{}\"): check cannot judge answers for {} layers yet":
        "{}: layers[{}] (\"{}\"): check belum dapat menilai jawaban untuk lapisan {}",
    "no answers given: pass a .toml or .json answers file":
        "tidak ada jawaban: berikan berkas jawaban .toml atau .json",
    "{}: cannot read: {}": "{}: tidak dapat dibaca: {}",
    "{}: expected a table/object at the top level, got {}":
        "{}: seharusnya tabel/objek di tingkat atas, diberikan {}",
    "{}: format: expected 1 (the only answers format so far), got {}":
        "{}: format: seharusnya 1 (satu-satunya format jawaban sejauh ini), diberikan {}",
    "{}: {}: expected a string, got {}": "{}: {}: seharusnya teks, diberikan {}",
    # ── grading/exercise ──
    "--shape: expected at least two sizes (inputs, outputs), got {}":
        "--shape: seharusnya sedikitnya dua ukuran (masukan, keluaran), diberikan {}",
    "--shape: {} weight layers is more than {}, the most an exercise by hand allows":
        "--shape: {} lapisan bobot lebih dari {}, batas terbanyak untuk latihan dengan tangan",
    "--shape: every layer needs 1 to {} units for work by hand, got {}":
        "--shape: setiap lapisan memerlukan 1 sampai {} unit untuk hitungan tangan, diberikan {}",
    "--activations: expected {} names (one per weight layer of the shape), got {}: {}":
        "--activations: seharusnya {} nama (satu per lapisan bobot dari --shape), diberikan {}: {}",
    "--loss: unknown loss {}; expected one of {}": "--loss: loss {} tidak dikenal; seharusnya salah satu dari {}",
    "--loss bce needs probabilities: make the last activation sigmoid":
        "--loss bce memerlukan peluang: jadikan aktivasi terakhir sigmoid",
    "--loss cross_entropy needs an output layer of at least 2 units":
        "--loss cross_entropy memerlukan lapisan keluaran dengan sedikitnya 2 unit",
    "--samples: expected 1 to {} for work by hand, got {}":
        "--samples: seharusnya 1 sampai {} untuk hitungan tangan, diberikan {}",
    "--seed: expected a whole number from 0 to 4294967295, got {}":
        "--seed: seharusnya bilangan bulat dari 0 sampai 4294967295, diberikan {}",
    "--dead-relu needs a hidden relu layer in --activations":
        "--dead-relu memerlukan lapisan relu tersembunyi dalam --activations",
    "--lr: expected a learning rate between 0 and 10, got {}":
        "--lr: seharusnya learning rate antara 0 dan 10, diberikan {}",
    "--dropout: expected a probability p with 0 < p < 1, got {}":
        "--dropout: seharusnya peluang p dengan 0 < p < 1, diberikan {}",
    "--dropout needs a hidden layer (dropout applies to hidden layers): give --shape with three sizes or more":
        "--dropout memerlukan lapisan tersembunyi (dropout berlaku untuk lapisan tersembunyi): berikan --shape "
        "dengan tiga ukuran atau lebih",
    "no friendly exercise found for --shape {} --activations {} in {} draws; try another --seed or other "
    "activations":
        "tidak ditemukan latihan dengan angka ramah untuk --shape {} --activations {} dalam {} tarikan; coba --seed "
        "lain atau aktivasi lain",
    "--out: expected a folder name, got an empty string": "--out: seharusnya nama folder, diberikan teks kosong",
    "--out: {} is {}, expected a folder": "--out: {} adalah {}, seharusnya folder",
    "--out: {} already has {}; use --force to overwrite, or choose a new or empty folder":
        "--out: {} sudah berisi {}; pakai --force untuk menimpa, atau pilih folder baru atau kosong",
    "--shape: expected whole numbers separated by commas, like 1,4,2,1; got {}":
        "--shape: seharusnya bilangan bulat dipisah koma, seperti 1,4,2,1; diberikan {}",
    "--activations: unknown activation {}; expected one of {}":
        "--activations: aktivasi {} tidak dikenal; seharusnya salah satu dari {}",
    "--activations: softmax over one unit (weight layer {}: --shape gives it {} unit) is always 1 and passes no "
    "gradient; give that layer at least 2 units in --shape, or use sigmoid for one output":
        "--activations: softmax atas satu unit (lapisan bobot {}: --shape memberinya {} unit) selalu 1 dan tidak "
        "meneruskan gradien; beri lapisan itu sedikitnya 2 unit dalam --shape, atau pakai sigmoid untuk satu keluaran",
    "--optimizer: expected one of {}, got {}": "--optimizer: seharusnya salah satu dari {}, diberikan {}",
    # exercise --conv (grading/conv_exercise.py) and check of a conv net (grading/conv_keys.py)
    "--pool goes with --conv (the pool of the conv exercise: max or avg)":
        "--pool hanya bersama --conv (pooling latihan konvolusi: max atau avg)",
    "--conv draws its own net (a 3×5 input, a 2×2 kernel, relu, a 2×2 pool, one linear unit, half_sse): it does not "
    "take {}":
        "--conv menarik jaringannya sendiri (masukan 3×5, kernel 2×2, relu, pooling 2×2, satu unit linear, half_sse): "
        "tidak menerima {}",
    "--pool: expected max or avg, got {}": "--pool: seharusnya max atau avg, diberikan {}",
    "no friendly conv exercise found in {} draws (seed {}, --lr {}): try another seed or the default learning rate":
        "tidak ditemukan latihan konvolusi dengan angka ramah dalam {} tarikan (seed {}, --lr {}): coba seed lain "
        "atau learning rate bawaan",
    '{}: layers[{}] ("{}"): check answers conv and pool nets of conv, pool, flatten and dense layers without dropout '
    'or skips so far, not {}':
        '{}: layers[{}] ("{}"): check sejauh ini menilai jaringan konvolusi dan pooling dari lapisan conv, pooling, '
        'flatten dan dense tanpa dropout atau skip, bukan {}',
    "--l2: expected a λ above 0 and at most 1000, got {}":
        "--l2: seharusnya λ di atas 0 dan paling besar 1000, diberikan {}",
    "--batchnorm needs a hidden layer (it follows the first one): e.g. --shape 2,3,1":
        "--batchnorm memerlukan lapisan tersembunyi (ia mengikuti lapisan pertama): misalnya --shape 2,3,1",
    "--batchnorm needs a batch of 2 or more samples (over one sample the variance is 0 and every x̂ is 0): add "
    "--samples 2":
        "--batchnorm memerlukan batch berisi 2 sampel atau lebih (atas satu sampel variansnya 0 dan setiap x̂ "
        "bernilai 0): tambahkan --samples 2",
    "--out: cannot make the folder {} ({})": "--out: tidak dapat membuat folder {} ({})",
    "--skip needs two hidden layers of the same width, or a last hidden layer as wide as the input (e.g. --shape "
    "2,2,2,1), got --shape {}":
        "--skip memerlukan dua lapisan tersembunyi selebar sama, atau lapisan tersembunyi terakhir selebar masukan "
        "(misalnya --shape 2,2,2,1), diberikan --shape {}",
    # ── program/ (grad) ──
    "a program is text, got {}": "program berupa teks, diberikan {}",
    "the program has {} characters; the limit is {}": "program berisi {} karakter; batasnya {}",
    "{}:{}: {} is not allowed in a program (printable text, tabs and line breaks only)":
        "{}:{}: {} tidak diizinkan dalam program (hanya teks tercetak, tab dan baris baru)",
    "{}:{}: a number of more than {} digits; numbers may have at most {} characters":
        "{}:{}: bilangan dengan lebih dari {} digit; bilangan paling banyak {} karakter",
    "not allowed: {}; {}": "tidak diizinkan: {}; {}",
    "{}invalid syntax ({}); {}": "{}sintaks tidak sah ({}); {}",
    "the program is nested too deeply to parse (limit: depth {})":
        "program bersarang terlalu dalam untuk diurai (batas: kedalaman {})",
    "cannot parse the program: {}": "program tidak dapat diurai: {}",
    "{}: the program has more than {} syntax nodes (the limit)":
        "{}: program punya lebih dari {} simpul sintaks (batasnya)",
    "{}: the program is nested more than {} levels deep (the limit)":
        "{}: program bersarang lebih dari {} tingkat (batasnya)",
    "the program is empty; write an expression such as x*sin(x**2) + 1":
        "program kosong; tulis sebuah ekspresi seperti x*sin(x**2) + 1",
    "more than {} statements (the limit)": "lebih dari {} pernyataan (batasnya)",
    "'{}' is a function name and cannot be assigned; choose another name":
        "'{}' adalah nama fungsi dan tidak dapat diberi nilai; pilih nama lain",
    "the name {}… is longer than {} characters": "nama {}… lebih panjang dari {} karakter",
    "{}() takes {} argument{}, got {}": "{}() menerima {} argumen{}, diberikan {}",
    "{} is a function: call it, {}(...)": "{} adalah fungsi: panggil, {}(...)",
    "a number literal of {} characters; the limit is {}": "literal bilangan berisi {} karakter; batasnya {}",
    "the number {} is larger than {} (the limit for literals)":
        "bilangan {} lebih besar dari {} (batas untuk literal)",
    "this value has {} operations once its names are replaced by their definitions; the limit is {} (it keeps the "
    "symbolic check fast)":
        "nilai ini punya {} operasi setelah nama-namanya diganti definisinya; batasnya {} (agar pemeriksaan "
        "simbolik tetap cepat)",
    "this value is nested {} levels deep once its names are replaced by their definitions; the limit is {}":
        "nilai ini bersarang {} tingkat setelah nama-namanya diganti definisinya; batasnya {}",
    "--at: expected NAME=VALUE, got {}": "--at: seharusnya NAMA=NILAI, diberikan {}",
    "--at: {} is not a name (letters, digits and '_', starting with a letter)":
        "--at: {} bukan nama (huruf, digit dan '_', diawali huruf)",
    "--at {}: a number is written with at most {} characters, this one has {} ({}…)":
        "--at {}: bilangan ditulis dengan paling banyak {} karakter, yang ini {} ({}…)",
    "--at {}: expected a finite number, got {}": "--at {}: seharusnya bilangan hingga, diberikan {}",
    "a bare expression is allowed only as the last statement (assign it to a name to keep it: y = ...)":
        "ekspresi tanpa nama hanya boleh sebagai pernyataan terakhir (beri nama untuk menyimpannya: y = ...)",
    "--at {}: expected a number, got {}": "--at {}: seharusnya sebuah bilangan, diberikan {}",
    "tape and sympy disagree: {}": "tape dan sympy tidak cocok: {}",
    "--of {}: the program has no value named {} (its names: {})":
        "--of {}: program tidak punya nilai bernama {} (nama-namanya: {})",
    "--at {}: the program has no input named {}; its inputs: {}":
        "--at {}: program tidak punya masukan bernama {}; masukannya: {}",
    "missing value for input {}: give --at {}": "nilai masukan {} tidak ada: berikan --at {}",
    "input {}: expected a finite number, got {}": "masukan {}: seharusnya bilangan hingga, diberikan {}",
    "the value is {}: too large for a float (every value must be a finite number)":
        "nilainya {}: terlalu besar untuk float (setiap nilai harus bilangan hingga)",
    "∂{}/∂{} is not finite at this point ({})": "∂{}/∂{} tidak hingga di titik ini ({})",
    "{} = {}: its derivative {} is {} at this point, so ∂/∂{} does not exist there":
        "{} = {}: turunannya {} bernilai {} di titik ini, jadi ∂/∂{} tidak ada di sana",
    "the program is too deeply nested for the symbolic check":
        "program bersarang terlalu dalam untuk pemeriksaan simbolik",
    "{}: powers here multiply to an exponent of {}; the symbolic check works with exact numbers and allows at most {}":
        "{}: pangkat di sini berlipat menjadi eksponen {}; pemeriksaan simbolik memakai bilangan eksak dan "
        "mengizinkan paling besar {}",
    # ── render/ options ──
    "--format {} needs Graphviz's 'dot' program, which is not on PATH: install Graphviz (apt install graphviz, brew "
    "install graphviz), or use --format dot":
        "--format {} memerlukan program 'dot' dari Graphviz, yang tidak ada di PATH: pasang Graphviz (apt install "
        "graphviz, brew install graphviz), atau pakai --format dot",
    "--format {}: Graphviz failed: {}": "--format {}: Graphviz gagal: {}",
    "--format {}: Graphviz took longer than 120 s": "--format {}: Graphviz memakan waktu lebih dari 120 s",
    "--param works with --format {}, not {}": "--param berlaku dengan --format {}, bukan {}",
    "--order {} works with --format {}, not {}": "--order {} berlaku dengan --format {}, bukan {}",
    "--param: no parameter named {} in this net (its parameters: {})":
        "--param: tidak ada parameter bernama {} dalam jaringan ini (parameternya: {})",
    # ── study/ (vanishing) ──
    "--data digits needs scikit-learn's 8×8 digits, which ship with the data extra: {}":
        "--data digits memerlukan data digit 8×8 dari scikit-learn, yang disertakan dalam ekstra data: {}",
    "{}: unknown {} {}; expected one of {}": "{}: {} {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown data set {}; expected one of {}": "himpunan data {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown position {}; expected one of {}": "posisi {} tidak dikenal; seharusnya salah satu dari {}",
    "{}: expected a whole number ≥ {}, got {}": "{}: seharusnya bilangan bulat ≥ {}, diberikan {}",
    "{}: expected a number in {}, {}], got {}": "{}: seharusnya bilangan dalam {}, {}], diberikan {}",
    "--preset: unknown preset {}; expected one of {}": "--preset: preset {} tidak dikenal; seharusnya salah satu dari {}",
    "--features: moons has 2 informative features (more are noise), so expected ≥ 2, got {}":
        "--features: moons punya 2 fitur informatif (sisanya derau), jadi seharusnya ≥ 2, diberikan {}",
    "--loss cross_entropy: data {} has binary targets and the net one output; use --loss bce (or half_sse)":
        "--loss cross_entropy: data {} punya target biner dan jaringan satu keluaran; pakai --loss bce (atau "
        "half_sse)",
    "--loss {}: data {} has {} classes, one output each; use --loss cross_entropy":
        "--loss {}: data {} punya {} kelas, masing-masing satu keluaran; pakai --loss cross_entropy",
    "--loss cross_entropy: takes the output layer's logits, so expected --output-activation linear, got {}":
        "--loss cross_entropy: menerima logit lapisan keluaran, jadi seharusnya --output-activation linear, "
        "diberikan {}",
    "--loss bce: needs a sigmoid output layer (bce takes probabilities), got {}; add --output-activation sigmoid":
        "--loss bce: memerlukan lapisan keluaran sigmoid (bce menerima peluang), diberikan {}; tambahkan "
        "--output-activation sigmoid",
    "--noise: applies to --data sklearn_moons only, not {}": "--noise: hanya berlaku untuk --data sklearn_moons, bukan {}",
    "--test-fraction {}: leaves fewer than 2 of the {} rows to train on":
        "--test-fraction {}: menyisakan kurang dari 2 dari {} baris untuk pelatihan",
    "--depth {} --width {} --samples {} --features {}: about {} GB of float64; make the net or the data smaller":
        "--depth {} --width {} --samples {} --features {}: sekitar {} GB float64; perkecil jaringan atau datanya",
    "--epochs {} × {} configuration(s) of depth {}, width {} on {} samples: about {} multiply-adds, over the budget "
    "of {} (about 5 s here); use fewer --epochs or --samples, or a smaller net":
        "--epochs {} × {} konfigurasi dengan kedalaman {}, lebar {} pada {} sampel: sekitar {} perkalian-penjumlahan, "
        "melewati anggaran {} (sekitar 5 s di sini); pakai lebih sedikit --epochs atau --samples, atau jaringan "
        "yang lebih kecil",
    "--compare: expected activation:init pairs separated by commas, {}; got {}":
        "--compare: seharusnya pasangan aktivasi:init dipisah koma, {}; diberikan {}",
    "--compare: expected activation:init pairs separated by commas, {}":
        "--compare: seharusnya pasangan aktivasi:init dipisah koma, {}",
    "--compare: empty or malformed entry {}; expected activation:init pairs, {}":
        "--compare: entri {} kosong atau cacat; seharusnya pasangan aktivasi:init, {}",
    "--compare: cannot read the activation {}; expected a name, or leaky_relu(0.2)":
        "--compare: aktivasi {} tidak terbaca; seharusnya sebuah nama, atau leaky_relu(0.2)",
    "vanishing(): unknown option {} (expected some of {}, {})":
        "vanishing(): opsi {} tidak dikenal (seharusnya beberapa dari {}, {})",
    "{} {} contradicts --preset {}, which sets {}; drop one of them":
        "{} {} bertentangan dengan --preset {}, yang menetapkan {}; buang salah satunya",
    "{} {} contradicts --preset {}, which keeps the default {}; drop one of them":
        "{} {} bertentangan dengan --preset {}, yang mempertahankan bawaan {}; buang salah satunya",
    "{}: alpha applies to leaky_relu and elu only, not {}": "{}: alpha hanya berlaku untuk leaky_relu dan elu, bukan {}",
    "--{}: expected True or False, got {}": "--{}: seharusnya True atau False, diberikan {}",
    "--samples: digits has {} rows, got {}": "--samples: digits punya {} baris, diberikan {}",
    "--features: data {} has {} features, got {}": "--features: data {} punya {} fitur, diberikan {}",
    "--momentum: applies to --optimizer momentum only, not {}":
        "--momentum: hanya berlaku untuk --optimizer momentum, bukan {}",
    "--data-seed: applies to --data sklearn_moons and to --test-fraction only":
        "--data-seed: hanya berlaku untuk --data sklearn_moons dan --test-fraction",
    "--compare: alpha of {} is not a number": "--compare: alpha dari {} bukan bilangan",
    "--compare: unknown modifier '+{}'{}; expected +bn, +bn_after or +residual":
        "--compare: pengubah '+{}'{} tidak dikenal; seharusnya +bn, +bn_after atau +residual",
    # ── tape/, testing/ (the Python API, and grad's values) ──
    "gradcheck: no inputs to check": "gradcheck: tidak ada masukan untuk diperiksa",
    "gradcheck: {}={}; expected a finite number {}": "gradcheck: {}={}; seharusnya bilangan hingga {}",
    "loss: prediction of shape {} against target of shape {}; they must have the same shape (broadcasting would "
    "compare every pair)":
        "loss: prediksi berbentuk {} terhadap target berbentuk {}; bentuknya harus sama (broadcasting akan "
        "membandingkan setiap pasangan)",
    "cross_entropy: logits must be samples × classes, got shape {}":
        "cross_entropy: logit harus sampel × kelas, diberikan bentuk {}",
    "cross_entropy: {} labels for {} samples": "cross_entropy: {} label untuk {} sampel",
    "cross_entropy: labels must be whole class indices": "cross_entropy: label harus indeks kelas bilangan bulat",
    "cross_entropy: class label {} outside 0..{}": "cross_entropy: label kelas {} di luar 0..{}",
    "sample {}: the softmax probability of the true class underflows to 0 (its logit is over 745 below the "
    "largest), so −ln p cannot be derived through the probabilities; use a linear output layer, whose outputs "
    "cross_entropy takes as logits":
        "sampel {}: peluang softmax kelas yang benar jatuh ke 0 (logitnya lebih dari 745 di bawah yang terbesar), "
        "jadi −ln p tidak dapat diturunkan melalui peluang; pakai lapisan keluaran linear, yang keluarannya "
        "diterima cross_entropy sebagai logit",
    "{}; in a spec: use a linear output layer, whose outputs bce takes as logits":
        "{}; dalam spesifikasi: pakai lapisan keluaran linear, yang keluarannya diterima bce sebagai logit",
    "log({}): the logarithm is defined for positive numbers only":
        "log({}): logaritma hanya terdefinisi untuk bilangan positif",
    "log of {} at element {}: the logarithm is defined for positive numbers only":
        "log dari {} di elemen {}: logaritma hanya terdefinisi untuk bilangan positif",
    "sqrt({}): the square root is defined for numbers ≥ 0 only":
        "sqrt({}): akar kuadrat hanya terdefinisi untuk bilangan ≥ 0",
    "sqrt of {} at element {}: defined for numbers ≥ 0 only":
        "sqrt dari {} di elemen {}: hanya terdefinisi untuk bilangan ≥ 0",
    "{} ** {}: a negative number to a fractional power is not real":
        "{} ** {}: bilangan negatif berpangkat pecahan tidak real",
    "a negative number to a fractional power is not real": "bilangan negatif berpangkat pecahan tidak real",
    "{} ** {}: zero to a negative power": "{} ** {}: nol berpangkat negatif",
    "zero to a negative power": "nol berpangkat negatif",
    "{} / 0: division by zero": "{} / 0: pembagian dengan nol",
    "division by zero": "pembagian dengan nol",
    "bce: a predicted probability of exactly 0 or 1 against the opposite target gives an infinite loss; use "
    "bce_with_logits on the pre-activation":
        "bce: peluang prediksi tepat 0 atau 1 terhadap target sebaliknya memberi loss tak hingga; pakai "
        "bce_with_logits pada pra-aktivasi",
    "bce: predicted probability {} at element {} against target {} gives an infinite loss; use bce_with_logits on "
    "the pre-activation":
        "bce: peluang prediksi {} di elemen {} terhadap target {} memberi loss tak hingga; pakai bce_with_logits "
        "pada pra-aktivasi",
    "bce: a {} of {} is outside [0, 1]; use bce_with_logits for logits":
        "bce: {} bernilai {} di luar [0, 1]; pakai bce_with_logits untuk logit",
    "this intermediate's gradient was not kept, and the tensor backward() was called on is gone, so it cannot be "
    "computed again: keep that tensor, or call retain_grad() on this one (or backward(keep_grads=True)) before "
    "backward()":
        "gradien nilai antara ini tidak disimpan, dan tensor tempat backward() dipanggil sudah tidak ada, jadi "
        "gradiennya tidak dapat dihitung ulang: simpan tensor itu, atau panggil retain_grad() pada tensor ini (atau "
        "backward(keep_grads=True)) sebelum backward()",
    "matmul needs arrays of at least one dimension, got a scalar":
        "matmul memerlukan larik berdimensi sedikitnya satu, diberikan skalar",
    "matmul: shapes {} and {} do not fit ({} columns against {} rows)":
        "matmul: bentuk {} dan {} tidak cocok ({} kolom terhadap {} baris)",
    "backward() on a tensor of shape {} needs gradient= of that shape (or call it on a scalar such as a loss)":
        "backward() pada tensor berbentuk {} memerlukan gradient= dengan bentuk itu (atau panggil pada skalar "
        "seperti loss)",
    "backward(gradient=…): the gradient has shape {}, expected {} (the shape of the tensor)":
        "backward(gradient=…): gradiennya berbentuk {}, seharusnya {} (bentuk tensornya)",
    "mean over no elements (a tensor of shape {}): it is undefined":
        "rata-rata atas nol elemen (tensor berbentuk {}): tidak terdefinisi",
    "check_backward: trials={}; expected a whole number ≥ 0": "check_backward: trials={}; seharusnya bilangan bulat ≥ 0",
    "check_backward: nothing to check: give inputs, or trials ≥ 1 random ones":
        "check_backward: tidak ada yang diperiksa: berikan masukan, atau trials ≥ 1 masukan acak",
    "check_backward: {}={}; expected a finite number {}": "check_backward: {}={}; seharusnya bilangan hingga {}",
    # ── exercise --rnn (grading/rnn_exercise.py) ──
    "--moodle: the Moodle quiz is written for dense nets only so far, not --rnn":
        "--moodle: kuis Moodle sejauh ini hanya ditulis untuk jaringan dense, bukan --rnn",
    "--samples: expected 1 or 2 with --rnn (3 steps by hand per sample), got {}":
        "--samples: seharusnya 1 atau 2 dengan --rnn (3 langkah dengan tangan per sampel), diberikan {}",
    "--seed {}: no friendly RNN found in {} draws; try another seed":
        "--seed {}: tidak ada RNN dengan angka ramah dalam {} undian; coba seed lain",
    "--every-step goes with --rnn (a loss at every step of the RNN)":
        "--every-step dipakai bersama --rnn (loss di setiap langkah RNN)",
    "--rnn draws its own net (3 tanh steps of 2 units, one feature per step, a linear output unit, half_sse): "
    "leave out {}":
        "--rnn mengundi jaringannya sendiri (3 langkah tanh dengan 2 unit, satu fitur per langkah, satu unit output "
        "linear, half_sse): hilangkan {}",
}

