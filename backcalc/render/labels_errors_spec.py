"""The Indonesian wording of the spec reader's and the file helpers' error messages (net/, files.py, check/):
each English message as it is raised (``{}`` where the raise site puts a value: a file, key, layer or number,
kept as the user wrote it) and its Indonesian (``{}`` in the same order, or ``{0}``, ``{1}`` … to reorder).
:func:`backcalc.render.labels_errors.message` applies them; a test walks every raise site and fails on a
message without its Indonesian here or in :mod:`backcalc.render.labels_errors_run`.
"""

MESSAGES = {
    # ── check/ (verify) ──
    "verify --formulas: closed forms are written for dense layers only, not {}":
        "verify --formulas: bentuk tertutup hanya ditulis untuk lapisan dense, bukan {}",
    "{}: layers[{}] (\"{}\"): verify cannot replay the optimizer's steps through layer kind {}":
        "{}: layers[{}] (\"{}\"): verify tidak dapat mengulang langkah optimizer melalui jenis lapisan {}",
    "sympy's {} is undefined at {}": "{} dari sympy tidak terdefinisi di {}",
    "{}: verify checks nets of at most {} parameters (one sympy evaluation per unit and sample); this one has {}":
        "{}: verify memeriksa jaringan dengan paling banyak {} parameter (satu evaluasi sympy per unit dan sampel); "
        "jaringan ini punya {}",
    "{}: verify evaluates at most {} units × samples; this spec has {}: use fewer samples":
        "{}: verify menghitung paling banyak {} unit × sampel; spesifikasi ini punya {}: pakai lebih sedikit sampel",
    "{}: layers[{}] (\"{}\"): verify has no independent check for layer kind {}":
        "{}: layers[{}] (\"{}\"): verify tidak punya pemeriksaan independen untuk jenis lapisan {}",
    "{}: the net is too deep for the symbolic check": "{}: jaringan terlalu dalam untuk pemeriksaan simbolik",
    # ── files ──
    "{}: expected a file name, got an empty string": "{}: seharusnya nama berkas, diberikan teks kosong",
    "{}: {} must end in {} (the file is written exactly where you say, and its format follows the name)":
        "{}: {} harus berakhiran {} (berkas ditulis tepat di tempat yang Anda sebut, dan formatnya mengikuti nama)",
    "{}: folder {} does not exist": "{}: folder {} tidak ada",
    "{}: {} is {}; expected a new or a regular file": "{}: {} adalah {}; seharusnya berkas baru atau berkas biasa",
    "{}: {} already exists; use --force to overwrite it": "{}: {} sudah ada; pakai --force untuk menimpanya",
    "{}: {}: cannot write ({})": "{}: {}: tidak dapat menulis ({})",
    "{} already exists; use --force to overwrite it": "{} sudah ada; pakai --force untuk menimpanya",
    "{}cannot write {} ({})": "{}tidak dapat menulis {} ({})",
    "{} is {}; expected a regular file": "{} adalah {}; seharusnya berkas biasa",
    "{} is a symbolic link; backcalc never writes through one":
        "{} adalah tautan simbolik; backcalc tidak pernah menulis melaluinya",
    # ── net/documents ──
    "{}: expected a .toml or .json file, got {}": "{}: seharusnya berkas .toml atau .json, diberikan {}",
    "{}: the file is empty": "{}: berkas kosong",
    "{}: contains NUL bytes; expected a {} text document": "{}: berisi bita NUL; seharusnya dokumen teks {}",
    "{}: nested more than {} levels deep": "{}: bersarang lebih dari {} tingkat",
    "{}: invalid JSON at line {}, column {}: {}": "{}: JSON tidak sah di baris {}, kolom {}: {}",
    "{}: nested too deeply": "{}: bersarang terlalu dalam",
    "{}: invalid TOML: {}": "{}: TOML tidak sah: {}",
    "{}: a number with more than {} digits; numbers in a spec are between −10⁶ and 10⁶":
        "{}: bilangan dengan lebih dari {} digit; bilangan dalam spesifikasi berada antara −10⁶ dan 10⁶",
    # ── net/fields ──
    "expected a table, got {}": "seharusnya sebuah tabel, diberikan {}",
    "expected a number, got {}": "seharusnya sebuah bilangan, diberikan {}",
    "{} is out of range; expected a number between {} and {}":
        "{} di luar rentang; seharusnya bilangan antara {} dan {}",
    "expected a finite number, got {}": "seharusnya bilangan hingga, diberikan {}",
    "expected a whole number from {} to {}, got {}": "seharusnya bilangan bulat dari {} sampai {}, diberikan {}",
    "expected a non-empty list of rows, got {}": "seharusnya daftar baris yang tidak kosong, diberikan {}",
    "expected rows with at least one number": "seharusnya baris dengan sedikitnya satu bilangan",
    "expected {} levels of non-empty nested lists, got {}":
        "seharusnya {} tingkat daftar bersarang yang tidak kosong, diberikan {}",
    "expected a non-empty list of numbers, got {}": "seharusnya daftar bilangan yang tidak kosong, diberikan {}",
    "expected a short name of letters and digits starting with a letter (like \"j\"), got {}":
        "seharusnya nama pendek dari huruf dan digit yang diawali huruf (seperti \"j\"), diberikan {}",
    "unknown {} {}; expected one of {}": "{} {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown activation {}; expected one of {}": "aktivasi {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown loss {}; expected one of {}": "loss {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown layer kind {}; expected one of {}": "jenis lapisan {} tidak dikenal; seharusnya salah satu dari {}",
    "unknown key {}; expected one of {}": "kunci {} tidak dikenal; seharusnya salah satu dari {}",
    "missing [{}] table": "tabel [{}] tidak ada",
    "expected a row (a list of numbers), got {}": "seharusnya sebuah baris (daftar bilangan), diberikan {}",
    "ragged matrix: row {} has {} numbers, row 0 has {}":
        "matriks tidak rata: baris {} berisi {} bilangan, baris 0 berisi {}",
    "ragged array: entry {} is {}, entry 0 is {}": "larik tidak rata: entri {} adalah {}, entri 0 adalah {}",
    # ── net/finite, derivation, training ──
    "step {}: the run is not finite: {} is {} {} ({})": "langkah {}: hasil tidak hingga: {} bernilai {} {} ({})",
    "step {}: the run is not finite: the loss of sample {} is {} {} ({})":
        "langkah {}: hasil tidak hingga: loss sampel {} bernilai {} {} ({})",
    "the run is not finite: the loss after the last step is {} (the steps diverged: lower the learning rate)":
        "hasil tidak hingga: loss setelah langkah terakhir bernilai {} (langkah-langkahnya divergen: turunkan "
        "learning rate)",
    "step {}: the update of {} ({}) overflows: {} becomes {}; lower the learning rate or the number of steps":
        "langkah {}: pembaruan {} ({}) meluap: {} menjadi {}; turunkan learning rate atau jumlah langkah",
    # ── net/init ──
    "{}: unknown initialiser {} (expected one of {})":
        "{}: inisialisasi {} tidak dikenal (seharusnya salah satu dari {})",
    "{}: unknown initialiser {}; did you mean {}? (expected one of {})":
        "{}: inisialisasi {} tidak dikenal; maksudnya {}? (seharusnya salah satu dari {})",
    "{}: expected an initialiser name such as 'he_normal' or 'normal:0.01', got {}":
        "{}: seharusnya nama inisialisasi seperti 'he_normal' atau 'normal:0.01', diberikan {}",
    "{}: {} needs a number: {}:{}, e.g. {}": "{}: {} memerlukan sebuah bilangan: {}:{}, misalnya {}",
    "{}: {}: {} must be a finite number ≥ 0, e.g. {}": "{}: {}: {} harus bilangan hingga ≥ 0, misalnya {}",
    "{}: {}: {} must be at most {}, e.g. {}": "{}: {}: {} paling besar {}, misalnya {}",
    "{}: {} takes no parameter, got {} (write just {})":
        "{}: {} tidak menerima parameter, diberikan {} (tulis {} saja)",
    "{}: {}: {} must be a number, e.g. {}": "{}: {}: {} harus sebuah bilangan, misalnya {}",
    # ── net/layers ──
    "the net has more than {} weights (the limit)": "jaringan punya lebih dari {} bobot (batasnya)",
    "missing key 'activation' (one of {})": "kunci 'activation' tidak ada (salah satu dari {})",
    "alpha applies to leaky_relu and elu only, not {}": "alpha hanya berlaku untuk leaky_relu dan elu, bukan {}",
    "softmax is not an activation of {} (over which axis?); use a dense layer after flatten":
        "softmax bukan aktivasi {} (atas sumbu yang mana?); pakai lapisan dense setelah flatten",
    "the output map {} is over the limit of {} elements": "peta keluaran {} melewati batas {} elemen",
    "a {} kernel over the input {} gathers through {} entries, over the limit of {} (use a smaller input or "
    "stride > 1)":
        "kernel {} atas masukan {} mengumpulkan {} entri, melewati batas {} (pakai masukan yang lebih kecil atau "
        "stride > 1)",
    "missing key 'bias' (weights {}, bias one per out channel)":
        "kunci 'bias' tidak ada (bobot {}, bias satu per kanal keluaran)",
    "the kernel has {} input channels but its input has {} (input {}, weights {})":
        "kernel punya {} kanal masukan tetapi masukannya punya {} (masukan {}, bobot {})",
    "expected {} numbers (one per output channel), got {}":
        "seharusnya {} bilangan (satu per kanal keluaran), diberikan {}",
    "missing 'weights' and 'bias' (or 'units', 'kernel' and 'init')":
        "'weights' dan 'bias' tidak ada (atau 'units', 'kernel' dan 'init')",
    "'bias' goes with 'weights'; with 'units', 'kernel' and 'init' the biases start at 0":
        "'bias' berpasangan dengan 'weights'; dengan 'units', 'kernel' dan 'init' bias dimulai dari 0",
    "'units' with 'init' needs a top-level seed (for example seed = 0), so runs repeat":
        "'units' dengan 'init' memerlukan seed di tingkat atas (misalnya seed = 0), agar hasilnya dapat diulang",
    "give either weights and bias, or units, kernel and init, not both ({} with 'weights')":
        "berikan weights dan bias, atau units, kernel dan init, jangan keduanya ({} bersama 'weights')",
    "softmax needs at least 2 units": "softmax memerlukan sedikitnya 2 unit",
    "expected the name of an earlier layer or the input (one of {}), got {}":
        "seharusnya nama lapisan sebelumnya atau masukan (salah satu dari {}), diberikan {}",
    "layer {} gives {} units per sample and this layer {}: a skip adds outputs of the same shape":
        "lapisan {} memberi {} unit per sampel dan lapisan ini {}: skip menjumlahkan keluaran berbentuk sama",
    "missing key 'bias' (one number per unit, or bias = false for a layer without bias)":
        "kunci 'bias' tidak ada (satu bilangan per unit, atau bias = false untuk lapisan tanpa bias)",
    "expected {}×{} (fan_in × units: {} {} units), got {}×{}":
        "seharusnya {}×{} (fan_in × unit: {} {} unit), diberikan {}×{}",
    "expected {}×{} (fan_in × units: {} has {} units), got {}×{}":
        "seharusnya {}×{} (fan_in × unit: {} punya {} unit), diberikan {}×{}",
    "expected {} numbers (one per unit), got {}": "seharusnya {} bilangan (satu per unit), diberikan {}",
    "expected a list of numbers (one per unit) or false (no bias), got true":
        "seharusnya daftar bilangan (satu per unit) atau false (tanpa bias), diberikan true",
    "missing 'weights' and 'bias' (or 'units' with 'init')":
        "'weights' dan 'bias' tidak ada (atau 'units' dengan 'init')",
    "'bias' goes with 'weights'; with 'units' and 'init' the biases start at 0 (or write bias = false for a layer "
    "without bias)":
        "'bias' berpasangan dengan 'weights'; dengan 'units' dan 'init' bias dimulai dari 0 (atau tulis bias = false "
        "untuk lapisan tanpa bias)",
    "expected an init name such as \"xavier_normal\" or \"normal:0.01\", got {}":
        "seharusnya nama inisialisasi seperti \"xavier_normal\" atau \"normal:0.01\", diberikan {}",
    "the input {} gives {} values per sample and this layer {}: a skip adds outputs of the same shape":
        "masukan {} memberi {} nilai per sampel dan lapisan ini {}: skip menjumlahkan keluaran berbentuk sama",
    "give either weights and bias, or units and init, not both ({} with 'weights')":
        "berikan weights dan bias, atau units dan init, jangan keduanya ({} bersama 'weights')",
    "dropout applies to hidden layers; the output layer feeds the loss":
        "dropout berlaku untuk lapisan tersembunyi; lapisan keluaran masuk ke loss",
    "expected a probability in [0, 1) (the chance of dropping a unit), got {}":
        "seharusnya peluang dalam [0, 1) (peluang sebuah unit dibuang), diberikan {}",
    "dropout without dropout_mask needs a top-level seed (for example seed = 0) to draw the mask from, or give "
    "dropout_mask (samples × units of 0 and 1)":
        "dropout tanpa dropout_mask memerlukan seed di tingkat atas (misalnya seed = 0) untuk menarik mask, atau "
        "berikan dropout_mask (sampel × unit berisi 0 dan 1)",
    "expected {}×{} (samples × units), got {}×{}": "seharusnya {}×{} (sampel × unit), diberikan {}×{}",
    "expected 0 (dropped) or 1 (kept), got {}": "seharusnya 0 (dibuang) atau 1 (dipertahankan), diberikan {}",
    "dropout_mask needs dropout = p (the probability of dropping a unit) beside it":
        "dropout_mask memerlukan dropout = p (peluang sebuah unit dibuang) di sampingnya",
    "{} needs {} per sample, but its input is {} per sample (data.x samples × {}, or {} layer before it)":
        "{} memerlukan {} per sampel, tetapi masukannya {} per sampel (data.x sampel × {}, atau lapisan {} "
        "sebelumnya)",
    "the {} {} is larger than its input {} (padded by {}: {})":
        "{} {} lebih besar daripada masukannya {} (diberi padding {}: {})",
    "expected a whole number or a pair [height, width], got a list of {}":
        "seharusnya bilangan bulat atau pasangan [tinggi, lebar], diberikan daftar berisi {}",
    "softmax after a normalisation layer is not supported; add a dense softmax layer":
        "softmax setelah lapisan normalisasi tidak didukung; tambahkan lapisan dense softmax",
    "expected a positive number (the variance can be 0), got {}":
        "seharusnya bilangan positif (variansnya bisa 0), diberikan {}",
    "expected {} numbers (one per unit of its input), got {}":
        "seharusnya {} bilangan (satu per unit masukannya), diberikan {}",
    "missing key 'size' (the window: a whole number or [height, width])":
        "kunci 'size' tidak ada (jendela: bilangan bulat atau [tinggi, lebar])",
    "missing key 'size' (the window: a whole number)": "kunci 'size' tidak ada (jendela: bilangan bulat)",
    "the input map {} is over the limit for pooling": "peta masukan {} melewati batas untuk pooling",
    "an rnn reads the data (samples × steps × features): put it first":
        "rnn membaca data (sampel × langkah × fitur): letakkan di awal",
    "rnn needs steps × features per sample (data.x samples × steps × features), but its input is {} per sample":
        "rnn memerlukan langkah × fitur per sampel (data.x sampel × langkah × fitur), tetapi masukannya {} per sampel",
    "{} steps is over the limit of {}": "{} langkah melewati batas {}",
    "softmax is not an activation of rnn; use a dense layer after it":
        "softmax bukan aktivasi rnn; pakai lapisan dense sesudahnya",
    "expected {}×{} (features × units: data.x has {} features per step), got {}×{}":
        "seharusnya {}×{} (fitur × unit: data.x punya {} fitur per langkah), diberikan {}×{}",
    "expected {}×{} (units × units), got {}×{}": "seharusnya {}×{} (unit × unit), diberikan {}×{}",
    "an rnn hands h_T to a dense layer: end the net with one":
        "rnn meneruskan h_T ke lapisan dense: akhiri jaringan dengan lapisan dense",
    "expected {} numbers (one per unit) or samples × units, got {}×{}":
        "seharusnya {} bilangan (satu per unit) atau sampel × unit, diberikan {}×{}",
    "missing key {} (weights_x features × units, weights_h units × units, bias one per unit)":
        "kunci {} tidak ada (weights_x fitur × unit, weights_h unit × unit, bias satu per unit)",
    # ── net/records, net/spec, net/train_spec ──
    "lang {}: expected one of {}": "lang {}: seharusnya salah satu dari {}",
    "format {}: expected one of {}": "format {}: seharusnya salah satu dari {}",
    "--steps: expected a whole number from 1 to {}, got {}":
        "--steps: seharusnya bilangan bulat dari 1 sampai {}, diberikan {}",
    "<spec>: an integer of thousands of digits; numbers in a spec are between −10⁶ and 10⁶":
        "<spec>: bilangan bulat dengan ribuan digit; bilangan dalam spesifikasi berada antara −10⁶ dan 10⁶",
    "expected a table at the top level, got {}": "seharusnya sebuah tabel di tingkat atas, diberikan {}",
    "missing key 'format' (write format = 1 at the top)": "kunci 'format' tidak ada (tulis format = 1 di awal)",
    "expected 1 (the only spec format so far), got {}":
        "seharusnya 1 (satu-satunya format spesifikasi sejauh ini), diberikan {}",
    "expected a string of at most 200 characters": "seharusnya teks dengan paling banyak 200 karakter",
    "{}; expected one line of text": "{}; seharusnya satu baris teks",
    "expected a whole number from 0 to 4294967295, got {}":
        "seharusnya bilangan bulat dari 0 sampai 4294967295, diberikan {}",
    "missing [[layers]]: at least one layer is needed": "[[layers]] tidak ada: diperlukan sedikitnya satu lapisan",
    "expected a list of layer tables, got {}": "seharusnya daftar tabel lapisan, diberikan {}",
    "{} layers is over the limit of {}": "{} lapisan melewati batas {}",
    "expected \"sum\" or \"mean\", got {}": "seharusnya \"sum\" atau \"mean\", diberikan {}",
    "{} samples is over the limit of {}": "{} sampel melewati batas {}",
    "the output layer gives a map of {} per sample; end the net with kind = \"flatten\" and a dense layer":
        "lapisan keluaran memberi peta {} per sampel; akhiri jaringan dengan kind = \"flatten\" dan lapisan dense",
    "{}: every name on the page must mean one thing; rename a layer (or data.input_name)":
        "{}: setiap nama di halaman harus berarti satu hal; ganti nama sebuah lapisan (atau data.input_name)",
    "{} steps of {} on a net of hand size print a table per parameter and step; at most {} (use fewer steps)":
        "{} langkah {} pada jaringan seukuran hitungan tangan mencetak tabel per parameter dan langkah; paling "
        "banyak {} (pakai lebih sedikit langkah)",
    "{} samples × {} weights × {} steps is over the limit of {} multiply-adds for one run; use fewer samples, "
    "units or steps":
        "{} sampel × {} bobot × {} langkah melewati batas {} perkalian-penjumlahan untuk satu run; pakai lebih "
        "sedikit sampel, unit atau langkah",
    "expected {}×{} (samples × output units), got {}×{}":
        "seharusnya {}×{} (sampel × unit keluaran), diberikan {}×{}",
    "missing key {}": "kunci {} tidak ada",
    "a sample of {} is over the limit of {} numbers": "sampel berukuran {} melewati batas {} bilangan",
    "expected samples × channels × length (or samples × steps × features for an rnn), got {} levels of lists":
        "seharusnya sampel × kanal × panjang (atau sampel × langkah × fitur untuk rnn), diberikan {} tingkat daftar",
    "name {} is already used by {}; every layer needs its own name":
        "nama {} sudah dipakai oleh {}; setiap lapisan memerlukan namanya sendiri",
    "a {} layer reads features, but its input is a map of {} per sample; put a layer of kind = \"flatten\" before "
    "it":
        "lapisan {} membaca fitur, tetapi masukannya peta {} per sampel; letakkan lapisan kind = \"flatten\" "
        "sebelumnya",
    "cross_entropy needs a flat list of class indices, one per sample (y = [0, 2])":
        "cross_entropy memerlukan daftar datar indeks kelas, satu per sampel (y = [0, 2])",
    "expected {} class labels (one per sample of data.x), got {}":
        "seharusnya {} label kelas (satu per sampel data.x), diberikan {}",
    "cross_entropy needs an output layer of at least 2 units":
        "cross_entropy memerlukan lapisan keluaran dengan sedikitnya 2 unit",
    "cross_entropy needs a softmax output layer (probabilities) or a linear one (logits), not {}":
        "cross_entropy memerlukan lapisan keluaran softmax (peluang) atau linear (logit), bukan {}",
    "bce needs a sigmoid output layer (probabilities) or a linear one (logits), not {}":
        "bce memerlukan lapisan keluaran sigmoid (peluang) atau linear (logit), bukan {}",
    "bce targets must lie between 0 and 1": "target bce harus berada antara 0 dan 1",
    "expected a whole class index, got {}": "seharusnya indeks kelas berupa bilangan bulat, diberikan {}",
    "class label {} is out of range: the output layer has {} units, so labels go from 0 to {}":
        "label kelas {} di luar rentang: lapisan keluaran punya {} unit, jadi label dari 0 sampai {}",
    "expected samples × inputs or samples × channels × height × width, got {} levels of lists":
        "seharusnya sampel × masukan atau sampel × kanal × tinggi × lebar, diberikan {} tingkat daftar",
    "unknown optimizer {}; expected one of {}": "optimizer {} tidak dikenal; seharusnya salah satu dari {}",
    "expected true or false, got {}": "seharusnya true atau false, diberikan {}",
    "applies to {}, not {}": "berlaku untuk {}, bukan {}",
    "expected one of {}, got {}": "seharusnya salah satu dari {}, diberikan {}",
    "expected a number from 0 to {} (the λ of the penalty), got {}":
        "seharusnya bilangan dari 0 sampai {} (λ penaltinya), diberikan {}",
    # ── rnn with return_sequences = true: a dense layer at every step (net/layers/steps.py) ──
    "a {} layer cannot read every step of layers[{}] (\"{}\", {} steps × {} units): after return_sequences = true "
    "come dense layers, applied at every step":
        "lapisan {} tidak dapat membaca setiap langkah dari layers[{}] (\"{}\", {} langkah × {} unit): sesudah "
        "return_sequences = true hanya lapisan dense, diterapkan di setiap langkah",
    "an rnn hands h_t of every step to a dense layer (return_sequences = true) or h_T: end the net with one":
        "rnn meneruskan h_t setiap langkah ke lapisan dense (return_sequences = true) atau h_T: akhiri jaringan "
        "dengan lapisan dense",
    "expected {}×{} (samples × output units): layers[{}] (\"{}\") hands on h_T only, got {}, a target at every "
    "step; for a loss at every step write return_sequences = true in that layer":
        "seharusnya {}×{} (sampel × unit output): layers[{}] (\"{}\") hanya meneruskan h_T, diberikan {}, target di "
        "setiap langkah; untuk loss di setiap langkah tulis return_sequences = true di lapisan itu",
    "a skip on a layer applied at every step (after return_sequences = true) is not built; leave it out":
        "skip pada lapisan yang diterapkan di setiap langkah (sesudah return_sequences = true) belum tersedia; "
        "hilangkan",
    "dropout on a layer applied at every step (after return_sequences = true) is not built; leave it out":
        "dropout pada lapisan yang diterapkan di setiap langkah (sesudah return_sequences = true) belum tersedia; "
        "hilangkan",
    "bias = false on a layer applied at every step (after return_sequences = true) is not built; give the bias":
        "bias = false pada lapisan yang diterapkan di setiap langkah (sesudah return_sequences = true) belum "
        "tersedia; berikan bias",
    "expected {}×{} (samples × steps: a class index at every step): the rnn returns every step "
    "(return_sequences = true), got {}":
        "seharusnya {}×{} (sampel × langkah: satu indeks kelas di setiap langkah): rnn mengembalikan setiap langkah "
        "(return_sequences = true), diberikan {}",
    "expected {}×{}×{} (samples × steps × outputs: a target at every step): the rnn returns every step "
    "(return_sequences = true), got {}":
        "seharusnya {}×{}×{} (sampel × langkah × output: satu target di setiap langkah): rnn mengembalikan setiap "
        "langkah (return_sequences = true), diberikan {}",
    "expected class indices from 0 to {} at every step": "seharusnya indeks kelas dari 0 sampai {} di setiap langkah",
}

