namespace Guardrail.Core.Detectors;

/// <summary>
/// Frequent given names and surnames, in their usual Latin spellings, of origins whose names
/// Bogus lists only in their own script (Chinese, Japanese, Korean, Arabic) or not at all
/// (Vietnamese without diacritics): "Wei Zhang", "Fatima Khan", "Hiroshi Tanaka", "Linh Nguyen".
/// Written for this detector from the most common surnames of each origin. Left out on purpose:
/// spellings that are English words a given name may precede ("Will Do", "Grace Long": Do, He,
/// Oh, Ma, Ho, Ko, Long, Sun, Fan, Pan, Son, Ding) and two-letter given names.
/// </summary>
internal static class RomanisedNames
{
    public static readonly string[] Family =
    [
        // Chinese (pinyin, and Cantonese spellings)
        "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Zhu", "Guo", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Tang",
        "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Yuan", "Cai", "Jiang", "Cheng", "Wei", "Ren", "Shen", "Yao", "Fang",
        "Shi", "Jin", "Tan", "Liao", "Zou", "Xiong", "Hao", "Qian", "Qiu", "Hou", "Kong", "Bai", "Cui", "Mao", "Duan", "Lei", "Li", "Wu",
        "Xu", "Yu", "Lu", "Chan", "Wong", "Cheung", "Leung", "Chow", "Ng", "Lau", "Yeung", "Tsang", "Kwok",
        // Korean
        "Kim", "Lee", "Choi", "Jung", "Jeong", "Kang", "Cho", "Yoon", "Jang", "Lim", "Shin", "Han", "Seo", "Kwon", "Hwang", "Ahn", "Song",
        "Yoo", "Hong", "Jeon", "Moon", "Bae", "Baek", "Heo", "Nam",
        // Japanese
        "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada",
        "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Yamazaki", "Mori", "Abe", "Ikeda", "Hashimoto",
        "Ishikawa", "Ogawa", "Fujita", "Okada", "Goto", "Hasegawa", "Murakami", "Kondo", "Ishii", "Saito", "Sakamoto", "Endo", "Aoki",
        "Fujii", "Nishimura", "Fukuda", "Ota", "Miura", "Okamoto", "Matsuda", "Nakajima", "Nakagawa", "Harada", "Ono", "Tamura", "Takeuchi",
        // Arabic and South Asian Muslim
        "Khan", "Ahmed", "Ali", "Hassan", "Hussein", "Hussain", "Rahman", "Ibrahim", "Mahmoud", "Abdullah", "Mohammed", "Haddad", "Mansour",
        "Nasser", "Saleh", "Salem", "Aziz", "Karim", "Hamid", "Farouk", "Youssef", "Qureshi", "Siddiqui", "Malik", "Sheikh", "Chaudhry",
        "Abbasi", "Zahra", "Zaidi", "Rizvi", "Othman", "Bakr",
        // Vietnamese without diacritics
        "Nguyen", "Tran", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Dang", "Bui", "Ngo", "Duong", "Ly",
    ];

    public static readonly string[] Given =
    [
        // Chinese
        "Wei", "Jing", "Ming", "Hui", "Xin", "Yan", "Hao", "Jun", "Lei", "Fang", "Min", "Jie", "Tao", "Yun", "Ying", "Xiaoming", "Xiaoling",
        "Zhiwei", "Jian", "Mei", "Ling", "Qiang", "Xiu", "Yong", "Chao", "Lihua", "Jiayi", "Zihan", "Yuxuan",
        // Japanese
        "Hiroshi", "Takashi", "Kenji", "Yuki", "Haruto", "Yuto", "Sota", "Akira", "Satoshi", "Naoki", "Daisuke", "Kenta", "Yui", "Aoi",
        "Sakura", "Hina", "Yuna", "Emi", "Keiko", "Yoko", "Naoko", "Haruka", "Ayumi", "Kaori", "Rina", "Takeshi", "Shinji", "Kazuki",
        // Korean (single-word spellings)
        "Minjun", "Seoyeon", "Jiwoo", "Jihoon", "Soojin", "Hyunwoo", "Jaewon", "Eunji", "Minseo", "Jiho", "Yuna", "Sungmin", "Youngho",
        // Arabic
        "Mohammed", "Muhammad", "Mohamed", "Ahmed", "Ahmad", "Omar", "Umar", "Hassan", "Hussein", "Ibrahim", "Youssef", "Yusuf", "Khalid",
        "Mahmoud", "Mustafa", "Abdullah", "Tariq", "Karim", "Fatima", "Aisha", "Ayesha", "Zainab", "Maryam", "Mariam", "Khadija", "Layla",
        "Leila", "Noor", "Nour", "Huda", "Salma", "Amina", "Yasmin", "Samira", "Rania", "Hana", "Zahra",
        // Vietnamese without diacritics
        "Anh", "Minh", "Linh", "Thanh", "Huong", "Tuan", "Hung", "Duc", "Thao", "Trang", "Hoa", "Quang",
    ];
}
